"""Undo HTTP content-encoding: the archive stores documents as the server meant them.

Decoding is streamed: the body goes through every layer (gzip, deflate, br, zstd;
stacked encodings too) in chunks of at most :data:`CHUNK` bytes, and the running size of every
layer's output is checked against ``max_size`` as it grows. A decompression bomb
(1.8 kB of double gzip that would become 1 GiB) stops at the limit with
:class:`DecodedTooLarge`, having held at most a chunk per layer beyond the limit.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

from crawler.errors import FetchError

#: Bytes a decompressor may produce per call.
CHUNK = 64 * 1024


class ContentDecodingError(FetchError, ValueError):
    """The body could not be decoded with the Content-Encoding the server declared."""


class DecodedTooLarge(ContentDecodingError):
    """The decoded body would exceed the download size limit (``DOWNLOAD_MAXSIZE``)."""

    def __init__(self, coding: str, size: int, max_size: int) -> None:
        super().__init__(f"decoded {coding} body exceeds DOWNLOAD_MAXSIZE ({size} > {max_size} bytes);"
                         " likely a decompression bomb")
        self.size = size
        self.max_size = max_size


def codings(content_encoding: str | None) -> list[str]:
    """The codings of a Content-Encoding header in the order they must be undone."""
    if not content_encoding:
        return []
    listed = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    return [c for c in reversed(listed) if c != "identity"]


def decode_content(body: bytes, content_encoding: str | None, max_size: int = 0) -> bytes:
    """Return ``body`` with every listed Content-Encoding removed.

    ``max_size`` (0: no limit) bounds every layer's decoded size; over it,
    :class:`DecodedTooLarge` is raised before more than a chunk past the limit is held.
    """
    layers = codings(content_encoding)
    if not layers:
        return body
    stream: Iterator[bytes] = _chunks(body)
    for coding in layers:
        stream = _limited(_layer(coding, stream), coding, max_size)
    return b"".join(stream)


def _chunks(body: bytes) -> Iterator[bytes]:
    view = memoryview(body)
    for start in range(0, len(body), CHUNK):
        yield bytes(view[start:start + CHUNK])


def _limited(stream: Iterator[bytes], coding: str, max_size: int) -> Iterator[bytes]:
    size = 0
    for chunk in stream:
        size += len(chunk)
        if max_size and size > max_size:
            raise DecodedTooLarge(coding, size, max_size)
        yield chunk


def _layer(coding: str, stream: Iterator[bytes]) -> Iterator[bytes]:
    if coding in ("gzip", "x-gzip"):
        return _zlib_stream(stream, lambda: zlib.decompressobj(16 + zlib.MAX_WBITS), coding,
                            members=True)
    if coding == "deflate":
        return _deflate_stream(stream)
    if coding == "br":
        return _brotli_stream(stream)
    if coding == "zstd":
        return _zstd_stream(stream)
    raise ContentDecodingError(f"unsupported Content-Encoding {coding!r}")


def _zlib_stream(stream: Iterator[bytes], make: Callable[[], zlib._Decompress], coding: str, *,
                 members: bool = False) -> Iterator[bytes]:
    """Inflate chunk by chunk, at most :data:`CHUNK` bytes out per call; gzip may have members."""
    decoder = make()
    started = False
    try:
        for data in stream:
            while data:
                started = True
                out = decoder.decompress(data, CHUNK)
                if out:
                    yield out
                if decoder.eof:
                    rest = decoder.unused_data
                    if not (members and rest.strip(b"\0")):
                        data = b""  # trailing garbage after the stream is ignored
                        break
                    decoder, data = make(), rest
                else:
                    data = decoder.unconsumed_tail
        while not decoder.eof and started:
            out = decoder.decompress(b"", CHUNK)
            if not out:
                break
            yield out
    except zlib.error as exc:
        raise ContentDecodingError(f"body is not valid {coding}: {exc}") from exc
    if started and not decoder.eof:  # an empty body (a 204, a HEAD answer) decodes to nothing
        raise ContentDecodingError(f"body is not valid {coding}: the stream is truncated")


def _deflate_stream(stream: Iterator[bytes]) -> Iterator[bytes]:
    """zlib-wrapped deflate, or raw deflate (some servers send it so)."""
    first = next(stream, b"")
    try:
        zlib.decompressobj().decompress(first[:64])
        make: Callable[[], zlib._Decompress] = zlib.decompressobj
    except zlib.error:
        def make() -> zlib._Decompress:
            return zlib.decompressobj(-zlib.MAX_WBITS)
    yield from _zlib_stream(_prepend(first, stream), make, "deflate")


def _prepend(first: bytes, stream: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from stream


def _brotli_stream(stream: Iterator[bytes]) -> Iterator[bytes]:
    import brotli

    decoder = brotli.Decompressor()
    try:
        for data in stream:
            out = decoder.process(data, output_buffer_limit=CHUNK)
            if out:
                yield out
            while not decoder.can_accept_more_data():
                out = decoder.process(b"", output_buffer_limit=CHUNK)
                if not out:
                    break
                yield out
        while not decoder.is_finished():
            out = decoder.process(b"", output_buffer_limit=CHUNK)
            if not out:
                break
            yield out
    except brotli.error as exc:
        raise ContentDecodingError(f"body is not valid br: {exc}") from exc
    if not decoder.is_finished():
        raise ContentDecodingError("body is not valid br: the stream is truncated")


def _zstd_stream(stream: Iterator[bytes]) -> Iterator[bytes]:
    import sys

    if sys.version_info >= (3, 14):
        from compression import zstd
    else:
        from backports import zstd

    decoder = zstd.ZstdDecompressor()
    started = False
    try:
        for data in stream:
            started = True
            out = decoder.decompress(data, CHUNK)
            if out:
                yield out
            while not decoder.needs_input and not decoder.eof:
                out = decoder.decompress(b"", CHUNK)
                if not out:
                    break
                yield out
    except zstd.ZstdError as exc:
        raise ContentDecodingError(f"body is not valid zstd: {exc}") from exc
    if started and not decoder.eof:
        raise ContentDecodingError("body is not valid zstd: the stream is truncated")
