"""WARC capture files: rotation, the open marker, crash recovery, reading back, export."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

from warcio.cli import main as warcio_cli

from newscrawl.archive.warc import (
    OPEN_SUFFIX,
    WarcWriter,
    _reason,
    _request_target,
    copy_records,
    read_capture,
    recover,
)


def check(*files: str) -> int:
    try:
        code = warcio_cli(["check", *files])
    except SystemExit as exit_:
        code = exit_.code
    return int(code or 0)


def write_pages(writer: WarcWriter, n: int) -> list:
    captures = []
    for i in range(n):
        body = gzip.compress(f"<html><p>story {i}</p></html>".encode() * 30)
        captures.append(
            writer.write(
                f"http://127.0.0.1/story/{i}",
                "GET",
                [("User-Agent", "newscrawl/test")],
                200,
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
                body,
            )
        )
    return captures


def test_file_being_written_ends_in_open_and_is_renamed_on_close(tmp_path: Path) -> None:
    writer = WarcWriter(str(tmp_path))
    [capture] = write_pages(writer, 1)
    assert os.listdir(tmp_path) == [capture.file + OPEN_SUFFIX]
    writer.close()
    assert os.listdir(tmp_path) == [capture.file]
    assert check(str(tmp_path / capture.file)) == 0


def test_files_rotate_by_size(tmp_path: Path) -> None:
    writer = WarcWriter(str(tmp_path), max_size=2000)
    captures = write_pages(writer, 6)
    writer.close()
    files = sorted(os.listdir(tmp_path))
    assert len(files) >= 2
    assert {c.file for c in captures} == set(files)
    assert check(*[str(tmp_path / f) for f in files]) == 0


def test_capture_reads_back_decoded(tmp_path: Path) -> None:
    writer = WarcWriter(str(tmp_path))
    captures = write_pages(writer, 3)
    response = read_capture(str(tmp_path), captures[1].file, captures[1].offset)
    assert response.url == "http://127.0.0.1/story/1"
    assert response.status == 200
    assert response.body.startswith(b"<html><p>story 1</p></html>")
    assert "Content-Encoding" not in response.headers


def test_crash_leaves_whole_records_and_recover_trims_the_torn_tail(tmp_path: Path) -> None:
    writer = WarcWriter(str(tmp_path))
    captures = write_pages(writer, 3)
    assert writer.handle is not None
    writer.handle.write(b"\x1f\x8b\x08\x00torn record")
    writer.handle.flush()
    open_name = captures[0].file + OPEN_SUFFIX
    # Pretend the writer died: a file named for a process that no longer exists.
    dead = open_name.replace(f"-{os.getpid()}-", "-999999999-")
    os.rename(tmp_path / open_name, tmp_path / dead)
    assert recover(str(tmp_path)) == [dead[: -len(OPEN_SUFFIX)]]
    assert check(str(tmp_path / dead[: -len(OPEN_SUFFIX)])) == 0


def test_recover_leaves_a_live_writer_alone(tmp_path: Path) -> None:
    writer = WarcWriter(str(tmp_path))
    write_pages(writer, 1)
    assert recover(str(tmp_path)) == []
    writer.close()


def test_export_copies_records_into_a_valid_file(tmp_path: Path) -> None:
    folder = tmp_path / "warc"
    writer = WarcWriter(str(folder))
    captures = write_pages(writer, 4)
    writer.close()
    out = tmp_path / "out.warc.gz"
    assert copy_records(str(folder), captures[1:3], str(out)) == 2
    assert check(str(out)) == 0


def _plain_pages(writer: WarcWriter, n: int) -> list:
    return [
        writer.write(
            f"http://127.0.0.1/plain/{i}",
            "GET",
            [],
            200,
            [("Content-Type", "text/html")],
            (f"<p>paragraph {i} of a story about the harbour and its ferries</p>" * 200).encode(),
        )
        for i in range(n)
    ]


def test_every_gzip_level_writes_valid_members_read_back_alike(tmp_path: Path) -> None:
    sizes = {}
    for level in (1, 6, 9):
        folder = tmp_path / str(level)
        writer = WarcWriter(str(folder), gzip_level=level)
        captures = _plain_pages(writer, 3)
        writer.close()
        [name] = os.listdir(folder)
        assert check(str(folder / name)) == 0
        back = read_capture(str(folder), name, captures[2].offset)
        assert back.body.startswith(b"<p>paragraph 2 of a story")
        # Each record is one gzip member: the capture's bytes decompress on their own.
        with open(folder / name, "rb") as handle:
            handle.seek(captures[2].offset)
            assert gzip.decompress(handle.read(captures[2].length)).startswith(b"WARC/1.")
        sizes[level] = os.path.getsize(folder / name)
    assert sizes[1] > sizes[9]


def test_gzip_level_outside_1_to_9_is_refused(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(ValueError, match="1-9"):
        WarcWriter(str(tmp_path), gzip_level=0)


def _warcio_records(
    url: str, request_headers: list, status: int, response_headers: list, body: bytes, ids: list
) -> bytes:
    """The response and request records as warcio's own WARCWriter writes them (uncompressed)."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    writer._make_warc_id = lambda: ids.pop(0)  # type: ignore[method-assign]
    date = "2026-01-02T03:04:05Z"
    http = StatusAndHeaders(f"{status} {_reason(status)}", response_headers, protocol="HTTP/1.1")
    response = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )
    request_http = StatusAndHeaders(
        f"GET {_request_target(url)} HTTP/1.1", request_headers, is_http_request=True
    )
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=request_http,
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    writer.write_record(response)
    writer.write_record(request)
    return out.getvalue()


def test_records_are_byte_for_byte_those_warcio_writes(tmp_path: Path, monkeypatch: Any) -> None:
    import newscrawl.archive.warc as warc

    cases = [
        ([("User-Agent", "newscrawl/test")], 200, [("Content-Type", "text/html")], b"<p>x</p>"),
        ([], 404, [], b""),
        # Latin-1 header values (as Scrapy's bytes decode) are percent-encoded by warcio.
        (
            [("Referer", "http://x.example/caf\xe9")],
            301,
            [("Content-Disposition", "inline; filename=caf\xe9.html")],
            b"!",
        ),
        ([("Accept", "*/*")], 299, [("X-A", "1"), ("X-A", "2")], bytes(range(256)) * 50),
    ]
    for i, (request_headers, status, response_headers, body) in enumerate(cases):
        ids = [f"<urn:uuid:{i}-response>", f"<urn:uuid:{i}-request>"]
        expected = _warcio_records(
            f"http://x.example/p/{i}?q=1",
            request_headers,
            status,
            response_headers,
            body,
            list(ids),
        )
        monkeypatch.setattr(warc, "_warc_id", lambda ids=ids: ids.pop(0))
        monkeypatch.setattr(warc, "_warc_date", lambda: "2026-01-02T03:04:05Z")
        writer = WarcWriter(str(tmp_path / str(i)))
        capture = writer.write(
            f"http://x.example/p/{i}?q=1", "GET", request_headers, status, response_headers, body
        )
        assert writer.handle is not None
        writer.handle.flush()
        with open(writer.handle.name, "rb") as handle:
            handle.seek(capture.offset)
            written = gzip.decompress(handle.read())
        assert written == expected
        writer.close()


def test_records_are_compressed_with_zlib_ng() -> None:
    """The installed fast deflate is the one used (the same gzip format, about twice as fast)."""
    import newscrawl.archive.warc as warc

    assert warc.deflate.__name__ == "zlib_ng.zlib_ng"
