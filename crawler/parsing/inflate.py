"""Measure what compressed parts of a document really inflate to, never trusting their headers.

* Zip members (DOCX): each member's compressed bytes are inflated in chunks and counted; the
  sizes written in the zip headers play no part, so a zip that lies about its sizes is
  caught as soon as the real output passes the limit.
* PDF streams: every ``stream … endstream`` that inflates (FlateDecode) is inflated the same
  way, per stream and in total, before the PDF library sees the file.

Output is discarded as it is counted: at most one chunk is held.
"""

from __future__ import annotations

import base64
import re
import struct
import zipfile
import zlib
from io import BytesIO

from crawler.parsing.outcome import ParseFailure

CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


def _inflated_size(data: bytes, start: int, limit: int, *, raw: bool, what: str) -> int:
    """Bytes the deflate stream at ``data[start:]`` inflates to; ParseFailure past ``limit``."""
    decoder = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    size, position = 0, start
    pending = b""
    while not decoder.eof:
        if not pending:
            if position >= len(data):
                break
            pending = data[position:position + CHUNK]
            position += CHUNK
        try:
            out = decoder.decompress(pending, CHUNK)
        except zlib.error:
            break  # not (or no longer) deflate: what was inflated so far is what counts
        pending = decoder.unconsumed_tail
        size += len(out)
        if size > limit:
            raise ParseFailure("too_large", f"{what} inflates past {limit} bytes; likely a "
                                            "decompression bomb")
    return size


def check_zip_members(data: bytes, limit: int) -> int:
    """Total bytes the zip's members really inflate to; ParseFailure ``too_large`` past ``limit``."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
            total = 0
            for info in infos:
                left = limit - total
                if info.compress_type == zipfile.ZIP_STORED:
                    total += info.compress_size
                elif info.compress_type == zipfile.ZIP_DEFLATED:
                    total += _inflated_size(data, _member_start(data, info), left, raw=True,
                                            what=f"zip member {info.filename}")
                else:  # bzip2/lzma never occur in DOCX: read it, counting
                    with archive.open(info) as member:
                        while chunk := member.read(CHUNK):
                            total += len(chunk)
                            if total > limit:
                                break
                if total > limit:
                    raise ParseFailure("too_large", f"the zip inflates past {limit} bytes "
                                                    f"(at {info.filename}); likely a zip bomb")
    except (zipfile.BadZipFile, OSError, ValueError, struct.error, RuntimeError,
            NotImplementedError) as exc:
        raise ParseFailure("corrupt", f"the DOCX is not a readable zip archive ({exc})") from exc
    return total


def _member_start(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where a member's compressed bytes begin (after its local header)."""
    header = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    if header[0] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    return info.header_offset + _LOCAL_HEADER.size + header[9] + header[10]


def _zlib_header(head: bytes) -> bool:
    """True when two bytes are a zlib stream header (deflate, valid check bits)."""
    return len(head) == 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (
        (head[0] << 8) | head[1]) % 31 == 0


def check_pdf_streams(data: bytes, per_stream: int, total: int) -> int:
    """Total bytes the PDF's Flate streams inflate to; ParseFailure ``too_large`` past a limit.

    A stream's filters are read from its dictionary; ASCII85 and ASCIIHex layers in front of
    FlateDecode are undone first (they only shrink), so wrapping a bomb in them does not hide it.
    """
    inflated = 0
    position = 0
    while True:
        found = data.find(b"stream", position)
        if found < 0:
            return inflated
        start = found + len(b"stream")
        position = start
        if data[found - 3:found] == b"end":  # "endstream"
            continue
        if data[start:start + 2] == b"\r\n":
            start += 2
        elif data[start:start + 1] in (b"\n", b"\r"):
            start += 1
        else:
            continue
        filters = _filters(data[max(0, found - _DICT_WINDOW):found])
        if filters is None:  # no /Filter seen: check it if it looks like zlib
            filters = ["FlateDecode"] if _zlib_header(data[start:start + 2]) else []
        if "FlateDecode" not in filters and "Fl" not in filters:
            continue
        body, offset = data, start
        for name in filters:
            if name in ("ASCII85Decode", "A85"):
                body, offset = _ascii85(body, offset), 0
            elif name in ("ASCIIHexDecode", "AHx"):
                body, offset = _ascii_hex(body, offset), 0
            else:
                break
        size = _inflated_size(body, offset, min(per_stream, total - inflated), raw=False,
                              what="a PDF stream")
        inflated += size
        position = start + 1


_DICT_WINDOW = 1024
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")


def _filters(window: bytes) -> list[str] | None:
    """The filter names of the dictionary ending in ``window`` (None when it names none)."""
    matches = list(_FILTER.finditer(window))
    if not matches:
        return None
    found = matches[-1]
    return [name.decode("latin-1") for name in re.findall(rb"/([A-Za-z0-9]+)", found.group(1))]


def _ascii85(data: bytes, start: int) -> bytes:
    end = data.find(b"~>", start)
    chunk = data[start:end if end >= 0 else len(data)]
    try:
        return base64.a85decode(re.sub(rb"\s+", b"", chunk).removeprefix(b"<~"))
    except ValueError:
        return b""


def _ascii_hex(data: bytes, start: int) -> bytes:
    end = data.find(b">", start)
    digits = re.sub(rb"[^0-9A-Fa-f]", b"", data[start:end if end >= 0 else len(data)])
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
