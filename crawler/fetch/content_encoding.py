"""Undo HTTP content-encoding: the archive stores documents as the server meant them."""

from __future__ import annotations

import gzip
import zlib

from crawler.errors import FetchError


class ContentDecodingError(FetchError, ValueError):
    """The body could not be decoded with the Content-Encoding the server declared."""


def decode_content(body: bytes, content_encoding: str | None) -> bytes:
    """Return ``body`` with every listed Content-Encoding (gzip, deflate, br) removed."""
    if not content_encoding:
        return body
    data = body
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",") if c.strip()]):
        try:
            if coding in ("gzip", "x-gzip"):
                data = gzip.decompress(data)
            elif coding == "deflate":
                try:
                    data = zlib.decompress(data)
                except zlib.error:
                    data = zlib.decompress(data, -zlib.MAX_WBITS)
            elif coding == "br":
                import brotli

                data = brotli.decompress(data)
            elif coding == "identity":
                continue
            else:
                raise ContentDecodingError(f"unsupported Content-Encoding {coding!r}")
        except (OSError, zlib.error, EOFError) as exc:
            raise ContentDecodingError(f"body is not valid {coding}: {exc}") from exc
    return data
