"""Bytes to text for Chinese documents: BOMs, UTF-8, then GB18030, then detection."""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode with a BOM, the declared charset, UTF-8, GB18030 or charset-normalizer."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    candidates = []
    if declared:
        candidates.append(_canonical(declared))
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    return data.decode("gb18030", errors="replace")


def _canonical(name: str) -> str:
    low = name.lower()
    if low in ("gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936"):
        return "gb18030"  # a superset: pages labelled gb2312 often use GBK characters
    return low


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset named by a Content-Type header or an HTML meta tag."""
    if content_type:
        m = re.search(r"charset\s*=\s*([A-Za-z0-9_\-]+)", content_type, re.I)
        if m:
            return m.group(1)
    meta = _META_CHARSET.search(data[:4096])
    return meta.group(1).decode("ascii") if meta else None
