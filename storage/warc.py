"""WARC 1.1 files of request/response records, as the exchanges came off the wire.

Each record is its own gzip member, so a record can be read back from its offset alone.
A file starts with a ``warcinfo`` record; a new file is started once ``max_bytes`` is reached.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter as _WarcioWriter

#: Headers describing a transfer framing that is already removed from the stored payload.
_FRAMING_HEADERS = frozenset({"transfer-encoding"})
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@dataclass(frozen=True)
class WarcLocation:
    """Where a record is: file name (inside the writer's directory), offset and length."""

    filename: str
    offset: int
    length: int
    record_id: str
    #: The record's ``WARC-Payload-Digest`` (labelled, e.g. ``sha1:…`` base32), when it has one.
    payload_digest: str | None = None


def wire_digest(payload: bytes) -> str:
    """The ``WARC-Payload-Digest`` a response record with this payload (as sent: content
    encoding still applied) gets: ``sha1:`` and the base32 SHA-1, warcio's and pywb's scheme."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")  # noqa: S324


def record_payload_digest(path: Path, offset: int) -> str | None:
    """The ``WARC-Payload-Digest`` of the record at ``offset`` of ``path`` (None if absent)."""
    with Path(path).open("rb") as handle:
        handle.seek(offset)
        return stream_payload_digest(handle)


def stream_payload_digest(stream: IO[bytes]) -> str | None:
    """The ``WARC-Payload-Digest`` of the record ``stream`` starts with (None if absent)."""
    for record in ArchiveIterator(stream):
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        return str(digest) if digest else None
    return None


def _warc_date(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _status_line(status: int, reason: str) -> str:
    if not reason:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    return f"{status} {reason}".rstrip()


class WarcWriter:
    """Appends request/response record pairs to rotating ``.warc.gz`` files in ``directory``."""

    def __init__(self, directory: Path, *, prefix: str = "govreports", max_bytes: int = 1_000_000_000,
                 software: str = "govreports/<version>", info: dict[str, str] | None = None,
                 on_close: Callable[[Path], None] | None = None) -> None:
        self.directory = Path(directory)
        #: Called with each file once it is complete (rolled over or closed): an object-store
        #: archive uploads it there (``storage.objects``).
        self.on_close = on_close
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.software = software
        self.info = dict(info or {})
        self.filenames: list[str] = []
        self._handle: IO[bytes] | None = None
        self._writer: _WarcioWriter | None = None
        self._serial = 0

    @property
    def current_filename(self) -> str | None:
        """The file records are going to, or None before the first record."""
        return self.filenames[-1] if self._handle is not None else None

    def _open_next(self) -> None:
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        while True:
            self._serial += 1
            name = f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
            try:
                handle = (self.directory / name).open("xb")
                break
            except FileExistsError:
                continue
        self._handle = handle
        self._writer = _WarcioWriter(handle, gzip=True, warc_version="1.1")
        self.filenames.append(name)
        fields: dict[str, Any] = {"software": self.software, "format": "WARC File Format 1.1",
                                  "conformsTo": "https://iipc.github.io/warc-specifications/"
                                                "specifications/warc-format/warc-1.1/"}
        fields.update(self.info)
        self._writer.write_record(self._writer.create_warcinfo_record(name, fields))

    def _ready(self) -> tuple[_WarcioWriter, IO[bytes]]:
        if self._handle is None or self._handle.tell() >= self.max_bytes:
            self._open_next()
        assert self._writer is not None and self._handle is not None
        return self._writer, self._handle

    def _write(self, writer: _WarcioWriter, handle: IO[bytes], record: Any) -> WarcLocation:
        offset = handle.tell()
        writer.write_record(record)
        return WarcLocation(
            filename=self.filenames[-1],
            offset=offset,
            length=handle.tell() - offset,
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
            payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
        )

    def write_exchange(self, *, url: str, method: str, request_headers: list[tuple[str, str]],
                       request_body: bytes, status: int, reason: str, http_version: str,
                       response_headers: list[tuple[str, str]], response_body: bytes,
                       fetched_at: datetime, peer_ip: str | None = None) -> WarcLocation:
        """Write the response and its request (linked); return the response's location.

        ``response_body`` is the payload as received, content encoding (gzip…) still applied
        and transfer encoding removed; Transfer-Encoding headers are therefore dropped.
        """
        writer, handle = self._ready()
        protocol = http_version if http_version.startswith("HTTP/") else f"HTTP/{http_version}"
        date = _warc_date(fetched_at)
        response_id = _record_id()
        common = {"WARC-Date": date}
        if peer_ip:
            common["WARC-IP-Address"] = peer_ip
        kept = [(k, v) for k, v in response_headers if k.lower() not in _FRAMING_HEADERS]
        response = writer.create_warc_record(
            url, "response",
            payload=BytesIO(response_body), length=len(response_body),
            http_headers=StatusAndHeaders(_status_line(status, reason), kept, protocol=protocol),
            warc_headers_dict={"WARC-Record-ID": response_id, **common},
        )
        request = writer.create_warc_record(
            url, "request",
            payload=BytesIO(request_body), length=len(request_body),
            http_headers=StatusAndHeaders(f"{method.upper()} {_request_target(url)} {protocol}",
                                          list(request_headers), is_http_request=True),
            warc_headers_dict={"WARC-Record-ID": _record_id(), "WARC-Concurrent-To": response_id,
                               **common},
        )
        location = self._write(writer, handle, response)
        self._write(writer, handle, request)
        handle.flush()
        return location

    def write_revisit(self, *, url: str, refers_to: WarcLocation, refers_to_uri: str,
                      refers_to_date: datetime, payload_digest: str, status: int, reason: str,
                      http_version: str, response_headers: list[tuple[str, str]] | None,
                      fetched_at: datetime, not_modified: bool = False) -> WarcLocation:
        """Write a revisit record pointing at an earlier response with the same payload.

        ``payload_digest`` is the ``WARC-Payload-Digest`` of the record referred to, exactly
        as that record carries it (``sha1:`` base32 for records this writer wrote): replay
        tools find the original by URL, date and this digest. The profile is
        identical-payload-digest, or server-not-modified for a 304 answer to a conditional
        request (``not_modified``). ``response_headers`` None writes no HTTP headers, so a
        replay takes status and headers from the original (a 304 replays as the archived 200).
        """
        writer, handle = self._ready()
        protocol = http_version if http_version.startswith("HTTP/") else f"HTTP/{http_version}"
        http_headers = None
        if response_headers is not None:
            kept = [(k, v) for k, v in response_headers if k.lower() not in _FRAMING_HEADERS]
            http_headers = StatusAndHeaders(_status_line(status, reason), kept, protocol=protocol)
        record = writer.create_revisit_record(
            url, payload_digest, refers_to_uri, _warc_date(refers_to_date),
            http_headers=http_headers,
        )
        record.rec_headers.replace_header("WARC-Date", _warc_date(fetched_at))
        record.rec_headers.add_header("WARC-Refers-To", refers_to.record_id)
        if not_modified:
            record.rec_headers.replace_header("WARC-Profile", SERVER_NOT_MODIFIED)
        location = self._write(writer, handle, record)
        handle.flush()
        return location

    def write_conversion(self, *, url: str, refers_to: str, refers_to_date: datetime,
                         content_type: str, body: bytes, fetched_at: datetime,
                         extra_headers: dict[str, str] | None = None) -> WarcLocation:
        """Write a ``conversion`` record: ``body`` derived from the response record ``refers_to``
        (a WARC-Record-ID), e.g. the DOM a browser built from a page."""
        writer, handle = self._ready()
        headers = {"WARC-Record-ID": _record_id(), "WARC-Date": _warc_date(fetched_at),
                   "WARC-Refers-To": refers_to, "WARC-Refers-To-Target-URI": url,
                   "WARC-Refers-To-Date": _warc_date(refers_to_date), **(extra_headers or {})}
        record = writer.create_warc_record(url, "conversion", payload=BytesIO(body), length=len(body),
                                           warc_content_type=content_type, warc_headers_dict=headers)
        location = self._write(writer, handle, record)
        handle.flush()
        return location

    def close(self) -> None:
        """Close the current file (a later write starts a new one)."""
        handle = self._handle
        self._handle = None
        self._writer = None
        if handle is not None:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            if self.on_close is not None:
                self.on_close(self.directory / self.filenames[-1])


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    target = parts.path or "/"
    return f"{target}?{parts.query}" if parts.query else target


def read_record_payload(path: Path, offset: int) -> bytes:
    """The HTTP payload of the record at ``offset``, exactly as stored (no decoding)."""
    with Path(path).open("rb") as handle:
        handle.seek(offset)
        for record in ArchiveIterator(handle):
            return bytes(record.raw_stream.read())
    raise ValueError(f"no WARC record at offset {offset} of {path}")
