"""Raw captures in WARC files (warcio): every fetched response, as it came off the wire.

Files live in a ``warc/`` folder beside the archive, named ``newscrawl-<time>-<n>.warc.gz``. The
file being written carries an extra ``.open`` suffix, so it is recognisable; each record is its
own gzip member, so a crash leaves every earlier record (and every other file) readable, and
`recover` trims a torn last record and closes the file. An article row points to its capture
with (file, offset, length) of the response record.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import socket
import uuid
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from http import HTTPStatus
from types import ModuleType
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl import __version__
from newscrawl.processes import pid_alive

deflate: ModuleType
try:
    # zlib-ng writes the same gzip format about twice as fast as zlib at the same level, within
    # 1% of its size (bench/RESULTS.md); zlib when the wheel is missing on some platform.
    from zlib_ng import zlib_ng as deflate
except ImportError:  # pragma: no cover
    deflate = zlib

OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
#: gzip level of each record. 6 (zlib's default) gives files within 1% of level 9's size on real
#: news pages in two thirds of the CPU time (half, with zlib-ng); warcio itself always uses 9.
DEFAULT_GZIP_LEVEL = 6


class _GzipMember:
    """A file-like that gzips what warcio writes of one record into one gzip member."""

    def __init__(self, out: io.BufferedWriter, level: int):
        self.out = out
        self.compressor = deflate.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

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
        response_id = _warc_id()
        response = _record(
            url,
            "response",
            response_id,
            [("WARC-Date", date)],
            _http_block("HTTP/1.1", f"{status} {_reason(status)}", response_headers),
            body,
        )
        request = _record(
            url,
            "request",
            _warc_id(),
            [("WARC-Date", date), ("WARC-Concurrent-To", response_id)],
            _http_block(method, f"{_request_target(url)} HTTP/1.1", request_headers),
            request_body,
        )
        offset = self.handle.tell()
        self.handle.write(_gzip_member(response, self.gzip_level))
        end = self.handle.tell()
        self.handle.write(_gzip_member(request, self.gzip_level))
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
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@lru_cache(maxsize=64)
def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


# -- records, byte for byte as warcio's WARCWriter writes them ---------------------------------
#
# warcio builds each record through several objects, reads the body twice for its two digests
# and copies it in 16 KiB pieces; a crawl writes two records per page, so they are put together
# here instead, in warcio's exact layout (tests/archive/test_warc.py compares the bytes).

#: The record version warcio's WARCWriter writes by default.
WARC_VERSION = "WARC/1.0"
_CONTENT_TYPES = {
    "response": "application/http; msgtype=response",
    "request": "application/http; msgtype=request",
}


def _warc_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _digest(*parts: bytes) -> str:
    """warcio's digest header value: ``sha1:`` and the base32 SHA-1 of the parts in a row."""
    sha1 = hashlib.sha1()
    for part in parts:
        sha1.update(part)
    return "sha1:" + base64.b32encode(sha1.digest()).decode("ascii")


def _http_block(first: str, rest: str, headers: Sequence[tuple[str, str]]) -> bytes:
    """An HTTP status or request line and headers, as warcio's StatusAndHeaders encodes them."""
    text = f"{first} {rest}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers)
    try:
        return text.encode("ascii") + b"\r\n"
    except UnicodeEncodeError:  # warcio percent-encodes non-ASCII values: let it
        http = StatusAndHeaders(rest, list(headers), protocol=first)
        return bytes(http.to_ascii_bytes())


def _record(
    url: str,
    kind: str,
    record_id: str,
    first_headers: Sequence[tuple[str, str]],
    http: bytes,
    payload: bytes,
) -> tuple[bytes, bytes, bytes]:
    """A request or response record as (WARC headers, HTTP headers, payload); the payload is
    followed by the record's closing blank lines when written."""
    headers = [*first_headers, ("WARC-Type", kind), ("WARC-Record-ID", record_id)]
    if url:
        headers.append(("WARC-Target-URI", url))
    headers += [
        ("WARC-Payload-Digest", _digest(payload)),
        ("WARC-Block-Digest", _digest(http, payload)),
        ("Content-Type", _CONTENT_TYPES[kind]),
        ("Content-Length", str(len(http) + len(payload))),
    ]
    head = WARC_VERSION + "\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n").encode("utf-8"), http, payload


def _gzip_member(record: tuple[bytes, bytes, bytes], level: int) -> bytes:
    """A record as one gzip member (so each record can be read from its offset on its own)."""
    compressor = deflate.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return b"".join(
        [*(compressor.compress(part) for part in record), compressor.compress(b"\r\n\r\n")]
        + [compressor.flush()]
    )


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
