"""Raw captures in WARC files (warcio): every fetched response, as it came off the wire.

Files live in a ``warc/`` folder beside the archive, named ``newscrawl-<time>-<n>.warc.gz``. The
file being written carries an extra ``.open`` suffix, so it is recognisable; each record is its
own gzip member, so a crash leaves every earlier record (and every other file) readable, and
`recover` trims a torn last record and closes the file. A write the disk refuses (full disk, I/O
error) is cut back at once to the last whole record and raised as a `WarcStorageError`, so a
closed ``.warc.gz`` file only ever holds whole records. An article row points to its capture
with (file, offset, length) of the response record.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import io
import logging
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
from newscrawl.archive.errors import StorageError
from newscrawl.processes import pid_alive

deflate: ModuleType
try:
    # zlib-ng writes the same gzip format about twice as fast as zlib at the same level, within
    # 1% of its size (bench/RESULTS.md); zlib when the wheel is missing on some platform.
    from zlib_ng import zlib_ng as deflate
except ImportError:  # pragma: no cover
    deflate = zlib

logger = logging.getLogger(__name__)
OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
#: gzip level of each record. 6 (zlib's default) gives files within 1% of level 9's size on real
#: news pages in two thirds of the CPU time (half, with zlib-ng); warcio itself always uses 9.
DEFAULT_GZIP_LEVEL = 6


class WarcStorageError(StorageError):
    """The disk refused a WARC write (full, I/O error, read-only); the file keeps whole records
    only. Its message is fit to show a user as is; `errno` is the refusal's error number."""

    def __init__(self, message: str, errno_: int | None = None):
        super().__init__(message)
        self.errno = errno_


#: Error numbers meaning there is no room left: a full disk, a full quota, a file size limit.
NO_ROOM = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EFBIG) if code
)
_READ_ONLY = frozenset((errno.EROFS, errno.EACCES, errno.EPERM))


def storage_error(folder: str, exc: OSError) -> WarcStorageError:
    """The `WarcStorageError` a user should see for an OSError met writing to `folder`."""
    if exc.errno in NO_ROOM:
        why = "the disk is full"
    elif exc.errno == errno.EIO:
        why = "disk I/O error"
    elif exc.errno in _READ_ONLY:
        why = "the folder or its files are read-only"
    elif exc.errno in (errno.EEXIST, errno.ENOTDIR):
        why = "it is not a folder"
    else:
        why = exc.strerror or str(exc)
    return WarcStorageError(f"cannot write captures to {folder}: {why}", exc.errno)


class _GzipMember:
    """A file-like that gzips what warcio writes of one record into one gzip member."""

    def __init__(self, out: io.BytesIO, level: int):
        self.out = out
        self.compressor = deflate.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class _LevelledWARCWriter(WARCWriter):
    """warcio's WARCWriter with a chosen gzip level (one gzip member per record, as warcio)."""

    def __init__(self, filebuf: io.BytesIO, level: int = DEFAULT_GZIP_LEVEL):
        super().__init__(filebuf, gzip=False)
        self.level = level

    def _write_warc_record(self, out: io.BytesIO, record: object) -> None:
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
    """Appends request/response pairs to size-rotated WARC files in one folder.

    Records go straight to the file, unbuffered, so what a failed write left is known: when the
    disk refuses part of a record (full disk, I/O error) the file is cut back at once to the end of
    its last whole record and a `WarcStorageError` is raised. The folder is made on the first write.
    """

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
        self.handle: io.FileIO | None = None
        #: End of the open file's last whole record: where the next record goes.
        self.size = 0
        #: A failed write left bytes past `size` that could not be cut off yet.
        self.torn = False

    def _open(self) -> None:
        self.serial += 1
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.prefix}-{stamp}-{os.getpid()}-{self.serial:05d}{WARC_SUFFIX}"
        info = io.BytesIO()
        writer = _LevelledWARCWriter(info, self.gzip_level)
        fields = {
            "software": f"newscrawl/{__version__} (warcio)",
            "hostname": socket.gethostname(),
            "format": "WARC File Format 1.1",
        }
        writer.write_record(writer.create_warcinfo_record(name, fields))
        path = os.path.join(self.folder, name + OPEN_SUFFIX)
        try:
            os.makedirs(self.folder, exist_ok=True)
            self.handle = open(path, "wb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise storage_error(self.folder, exc) from exc
        self.name, self.size, self.torn = name, 0, False
        try:
            self._append(info.getvalue())
        except WarcStorageError:
            # Not even the warcinfo record fits: leave no file holding nothing.
            handle, self.handle, self.name = self.handle, None, None
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise

    def _append(self, *parts: bytes) -> None:
        """Write `parts` after the last whole record; on failure cut back to it and raise."""
        handle = self.handle
        assert handle is not None
        if self.torn:
            self._cut()
            if self.torn:
                raise WarcStorageError(
                    f"cannot write captures to {self.folder}: disk I/O error", errno.EIO
                )
        try:
            for part in parts:
                view = memoryview(part)
                while view:
                    written = handle.write(view)
                    if not written:  # a regular file never says "would block"
                        raise OSError(errno.EIO, os.strerror(errno.EIO))
                    view = view[written:]
        except OSError as exc:
            self._cut()
            raise storage_error(self.folder, exc) from exc
        self.size += sum(len(part) for part in parts)

    def _cut(self) -> None:
        """Drop what a failed write left past the last whole record (`torn` if that fails)."""
        assert self.handle is not None
        try:
            self.handle.truncate(self.size)
            self.handle.seek(self.size)
        except OSError:
            self.torn = True
        else:
            self.torn = False

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
        """Write one request and its response; return where the response record lies.

        Raises `WarcStorageError` when the disk refuses: neither record is left in the file.
        """
        if self.handle is None:
            self._open()
        assert self.handle is not None and self.name is not None
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
        response_member = _gzip_member(response, self.gzip_level)
        offset = self.size
        self._append(response_member, _gzip_member(request, self.gzip_level))
        capture = Capture(self.name, offset, len(response_member))
        if self.size >= self.max_size:
            self.close()
        return capture

    def close(self) -> None:
        """Finish the current file: fsync it and drop the ``.open`` suffix.

        If the disk refuses (the fsync, or cutting off a torn record), the file keeps its
        ``.open`` suffix, for `recover` to finish on a later run, and `WarcStorageError` is
        raised; the writer is closed either way.
        """
        handle, name = self.handle, self.name
        if handle is None or name is None:
            return
        self.handle = self.name = None
        path = os.path.join(self.folder, name)
        try:
            try:
                if self.torn:
                    handle.truncate(self.size)
                os.fsync(handle.fileno())
            finally:
                handle.close()
            os.replace(path + OPEN_SUFFIX, path)
        except OSError as exc:
            raise storage_error(self.folder, exc) from exc


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

    Only files whose writer process is gone are touched; a file without one whole record is
    removed. A file the disk will not let be cut is left as it is (and logged) for a later run.
    Returns the names recovered.
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
        try:
            good_end = _last_good_offset(path)
            if good_end == 0:
                os.unlink(path)
                continue
            with open(path, "r+b") as handle:
                if os.fstat(handle.fileno()).st_size != good_end:
                    handle.truncate(good_end)
                    os.fsync(handle.fileno())
            os.replace(path, os.path.join(folder, name))
        except OSError as exc:
            logger.warning("Cannot close WARC file %s left open: %s", entry, exc.strerror or exc)
            continue
        recovered.append(name)
    return recovered


def _writer_pid(name: str) -> int | None:
    parts = name[: -len(WARC_SUFFIX)].split("-")
    try:
        return int(parts[-2])
    except (IndexError, ValueError):
        return None


def _last_good_offset(path: str) -> int:
    """Where the last whole record of a ``.warc.gz`` file ends.

    Each record is one gzip member. A member is whole when it ends (its CRC and length check)
    and the record in it is as long as its Content-Length says; warcio itself reads a member cut
    short without complaint, so the members are checked here, in one pass over the file.
    """
    end = 0
    with open(path, "rb") as stream:
        rest = b""
        while True:
            length, rest = _whole_member(stream, rest)
            if length is None:
                return end
            end += length


#: Bytes read at a time; small, as what follows a member in a read is copied for the next one.
_READ_SIZE = 1 << 14
#: Longest WARC record header looked at: a longer one is not a header newscrawl wrote.
_MAX_HEAD = 1 << 16


def _whole_member(stream: io.BufferedReader, data: bytes) -> tuple[int | None, bytes]:
    """The length of the gzip member starting with `data` (read from `stream`) if it is whole
    and holds one whole WARC record, else None; and the bytes read past its end."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    used = size = 0
    head = b""
    while True:
        if not data:
            data = stream.read(_READ_SIZE)
            if not data:
                return None, b""  # cut short
        try:
            out = inflater.decompress(data)
        except zlib.error:
            return None, b""  # not gzip, or corrupt
        used += len(data) - len(inflater.unused_data)
        size += len(out)
        if b"\r\n\r\n" not in head and len(head) < _MAX_HEAD:
            head += out[:_MAX_HEAD]
        if inflater.eof:
            whole = _record_size(head) == size
            return (used if whole else None), inflater.unused_data
        data = b""


def _record_size(head: bytes) -> int | None:
    """The size a WARC record starting with `head` has: header, block, closing blank lines."""
    header, blank, _ = head.partition(b"\r\n\r\n")
    if not blank or not header.startswith(b"WARC/"):
        return None
    for line in header.split(b"\r\n")[1:]:
        field, _, value = line.partition(b":")
        if field.strip().lower() == b"content-length":
            try:
                return len(header) + 4 + int(value.strip()) + 4
            except ValueError:
                return None
    return None


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
