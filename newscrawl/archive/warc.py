"""Raw captures in WARC files (warcio): every fetched response, as it came off the wire.

Files live in a ``warc/`` folder beside the archive, named ``newscrawl-<time>-<n>.warc.gz``. The
file being written carries an extra ``.open`` suffix, so it is recognisable; each record is its
own gzip member, so a crash leaves every earlier record (and every other file) readable, and
`recover` trims a torn last record and closes the file. An article row points to its capture
with (file, offset, length) of the response record.
"""

from __future__ import annotations

import io
import os
import socket
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl import __version__
from newscrawl.processes import pid_alive

OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
#: gzip level of each record. 6 (zlib's default) gives files within 1% of level 9's size on real
#: news pages in two thirds of the CPU time; warcio itself always uses 9.
DEFAULT_GZIP_LEVEL = 6


class _GzipMember:
    """A file-like that gzips what warcio writes of one record into one gzip member."""

    def __init__(self, out: io.BufferedWriter, level: int):
        self.out = out
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class _LevelledWARCWriter(WARCWriter):
    """warcio's WARCWriter with a chosen gzip level (one gzip member per record, as warcio)."""

    def __init__(self, filebuf: io.BufferedWriter, level: int = DEFAULT_GZIP_LEVEL):
        super().__init__(filebuf, gzip=False)
        self.level = level

    def _write_warc_record(self, out: io.BufferedWriter, record: object) -> None:
        super()._write_warc_record(_GzipMember(out, self.level), record)


@dataclass(frozen=True)
class Capture:
    """Where a response record lies: file name (in the warc folder), byte offset and length."""

    file: str
    offset: int
    length: int


@dataclass
class CapturedResponse:
    """A response read back from a WARC file."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    date: str | None


def warc_folder(db_path: str) -> str:
    """The WARC folder of an archive: ``warc/`` beside the database file."""
    return os.path.join(os.path.dirname(os.path.abspath(db_path)), "warc")


def _warc_date(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class WarcWriter:
    """Appends request/response pairs to size-rotated WARC files in one folder."""

    def __init__(
        self,
        folder: str,
        max_size: int = 100 * 1024 * 1024,
        prefix: str = "newscrawl",
        gzip_level: int = DEFAULT_GZIP_LEVEL,
    ):
        if not 1 <= gzip_level <= 9:
            raise ValueError(f"WARC gzip level must be 1-9, not {gzip_level}")
        self.folder = folder
        self.max_size = max_size
        self.prefix = prefix
        self.gzip_level = gzip_level
        self.serial = 0
        self.name: str | None = None
        self.handle: io.BufferedWriter | None = None
        self.writer: WARCWriter | None = None
        os.makedirs(folder, exist_ok=True)

    def _open(self) -> None:
        self.serial += 1
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        self.name = f"{self.prefix}-{stamp}-{os.getpid()}-{self.serial:05d}{WARC_SUFFIX}"
        self.handle = open(os.path.join(self.folder, self.name + OPEN_SUFFIX), "wb")  # noqa: SIM115
        self.writer = _LevelledWARCWriter(self.handle, self.gzip_level)
        info = {
            "software": f"newscrawl/{__version__} (warcio)",
            "hostname": socket.gethostname(),
            "format": "WARC File Format 1.1",
        }
        self.writer.write_record(self.writer.create_warcinfo_record(self.name, info))

    def write(
        self,
        url: str,
        method: str,
        request_headers: Sequence[tuple[str, str]],
        status: int,
        response_headers: Sequence[tuple[str, str]],
        body: bytes,
        request_body: bytes = b"",
    ) -> Capture:
        """Write one request and its response; return where the response record lies."""
        if self.writer is None:
            self._open()
        assert self.writer is not None and self.handle is not None and self.name is not None
        date = _warc_date()
        response_http = StatusAndHeaders(
            f"{status} {_reason(status)}", list(response_headers), protocol="HTTP/1.1"
        )
        response = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=response_http,
            warc_headers_dict={"WARC-Date": date},
        )
        path = _request_target(url)
        request_http = StatusAndHeaders(
            f"{method} {path} HTTP/1.1", list(request_headers), is_http_request=True
        )
        request = self.writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(request_body),
            length=len(request_body),
            http_headers=request_http,
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        offset = self.handle.tell()
        self.writer.write_record(response)
        end = self.handle.tell()
        self.writer.write_record(request)
        self.handle.flush()
        capture = Capture(self.name, offset, end - offset)
        if self.handle.tell() >= self.max_size:
            self.close()
        return capture

    def close(self) -> None:
        """Finish the current file: flush, fsync, drop the ``.open`` suffix."""
        if self.handle is None or self.name is None:
            return
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(
            os.path.join(self.folder, self.name + OPEN_SUFFIX), os.path.join(self.folder, self.name)
        )
        self.handle = None
        self.writer = None
        self.name = None


def _request_target(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def recover(folder: str) -> list[str]:
    """Close files left ``.open`` by a crashed crawl: keep every whole record, drop a torn tail.

    Only files whose writer process is gone are touched. Returns the names recovered.
    """
    recovered: list[str] = []
    if not os.path.isdir(folder):
        return recovered
    for entry in sorted(os.listdir(folder)):
        if not entry.endswith(WARC_SUFFIX + OPEN_SUFFIX):
            continue
        name = entry[: -len(OPEN_SUFFIX)]
        pid = _writer_pid(name)
        if pid_alive(pid):
            continue
        path = os.path.join(folder, entry)
        good_end = _last_good_offset(path)
        with open(path, "r+b") as handle:
            handle.truncate(good_end)
        os.replace(path, os.path.join(folder, name))
        recovered.append(name)
    return recovered


def _writer_pid(name: str) -> int | None:
    parts = name[: -len(WARC_SUFFIX)].split("-")
    try:
        return int(parts[-2])
    except (IndexError, ValueError):
        return None


def _last_good_offset(path: str) -> int:
    end = 0
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        try:
            for record in iterator:
                record.content_stream().read()
                iterator.read_to_end(record)
                end = iterator.get_record_offset() + iterator.get_record_length()
        except Exception:  # a torn record: everything before `end` is whole
            pass
    return end


def _path(folder: str, name: str) -> str:
    path = os.path.join(folder, name)
    if not os.path.exists(path) and os.path.exists(path + OPEN_SUFFIX):
        return path + OPEN_SUFFIX
    return path


def read_capture(folder: str, name: str, offset: int) -> CapturedResponse:
    """The response stored at `offset` of a WARC file, body decoded from its transfer/content
    encoding as a browser would."""
    with open(_path(folder, name), "rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        body = record.content_stream().read()
        http = record.http_headers
        headers: dict[str, str] = {}
        for key, value in http.headers if http else []:
            if key.lower() in ("content-encoding", "transfer-encoding", "content-length"):
                continue
            headers[key] = value
        return CapturedResponse(
            url=record.rec_headers.get_header("WARC-Target-URI"),
            status=int(http.get_statuscode()) if http else 0,
            headers=headers,
            body=body,
            date=record.rec_headers.get_header("WARC-Date"),
        )


def copy_records(folder: str, captures: Iterable[Capture], output: str) -> int:
    """Write a WARC file holding a warcinfo record and the given response records, byte for byte."""
    count = 0
    with open(output, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(
                os.path.basename(output), {"software": f"newscrawl/{__version__} (export)"}
            )
        )
        for capture in captures:
            with open(_path(folder, capture.file), "rb") as source:
                source.seek(capture.offset)
                out.write(source.read(capture.length))
            count += 1
    return count


def header_pairs(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """Headers as (name, value) pairs."""
    return [(str(k), str(v)) for k, v in headers.items()]
