"""Decide the character encoding of fetched bytes: the one home of charset decisions.

A crawled page (:func:`decode_page`): HTTP header, then meta tag, then detection, and how it was
decided is recorded. A document handed to the parser (:func:`decode_document`): a BOM, the
declared charset, UTF-8, GB18030, then detection.

Declared GB encodings (gb2312, gbk, x-gbk…) are decoded as gb18030, their superset, because
portals that say gb2312 routinely use characters outside it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312", "gb_2312-80"}


@dataclass(frozen=True)
class Decoded:
    """A page decoded to text, how its encoding was decided, and any problem found."""

    text: str
    charset: str
    source: str  # "header" | "meta" | "bom" | "detected" | "fallback"
    problem: str | None = None  # e.g. "declared utf-8 in header but bytes are not utf-8"


def normalize_charset(name: str | None) -> str | None:
    """Canonical codec name, gb18030 for the GB family; None when unknown."""
    if not name:
        return None
    lowered = name.strip().lower()
    if lowered in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(lowered).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    """The charset named in a Content-Type header value, if any."""
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def meta_charset(body: bytes) -> str | None:
    """The charset named in a ``<meta>`` tag within the first 4 KiB, if any."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _try(body: bytes, charset: str) -> str | None:
    try:
        return body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_page(body: bytes, content_type: str | None) -> Decoded:
    """Decode ``body``: header charset, then meta, then detection; record mismatches."""
    if body.startswith(codecs.BOM_UTF8):
        return Decoded(body[3:].decode("utf-8", "replace"), "utf-8", "bom")
    problems: list[str] = []
    for source, declared in (("header", header_charset(content_type)), ("meta", meta_charset(body))):
        charset = normalize_charset(declared)
        if declared and charset is None:
            problems.append(f"unknown charset {declared!r} declared in {source}")
            continue
        if charset is None:
            continue
        text = _try(body, charset)
        if text is not None:
            return Decoded(text, charset, source, "; ".join(problems) or None)
        problems.append(f"declared {charset} in {source} but the bytes are not {charset}")
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        charset = normalize_charset(best.encoding) or best.encoding
        text = _try(body, charset)
        if text is not None:
            return Decoded(text, charset, "detected", "; ".join(problems) or None)
    for charset in ("utf-8", "gb18030"):
        text = _try(body, charset)
        if text is not None:
            return Decoded(text, charset, "detected", "; ".join(problems) or None)
    problems.append("no encoding decodes the bytes cleanly; decoded as gb18030 with replacements")
    return Decoded(body.decode("gb18030", "replace"), "gb18030", "fallback", "; ".join(problems))


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_document(body: bytes, content_type: str | None = None) -> str:
    """Text of a document (HTML or plain text) for parsing.

    A BOM (UTF-8 or UTF-16) wins; then the charset named by ``content_type`` or a ``<meta>``
    tag, UTF-8 and GB18030 in turn; then detection; last, GB18030 with replacements.
    """
    for bom, charset in _BOMS:
        if body.startswith(bom):
            return body.decode(charset, errors="replace")
    declared = normalize_charset(header_charset(content_type) or meta_charset(body))
    for candidate in (declared, "utf-8", "gb18030"):
        text = _try(body, candidate) if candidate else None
        if text is not None:
            return text
    best = from_bytes(body).best()
    if best is not None:
        return str(best)
    return body.decode("gb18030", errors="replace")
