"""Which kind of document some bytes are: magic bytes first, then the name or content type."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import Literal

Kind = Literal["pdf", "docx", "doc", "html", "text", "unknown"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXT: dict[str, Kind] = {
    ".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "doc", ".html": "html",
    ".htm": "html", ".shtml": "html", ".xhtml": "html", ".txt": "text", ".text": "text",
}
_HTML = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|table|div|p|h[1-6]|span|font|center|style|script|section|article)\b",
                   re.I | re.S)


def detect(data: bytes, filename: str | None = None, content_type: str | None = None) -> Kind:
    """The document kind of ``data``."""
    head = data[:2048]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE):
        return "doc"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(data) else "unknown"
    if _HTML.match(head.lstrip(b"\xef\xbb\xbf")):
        return "html"
    name = (filename or "").lower()
    for ext, kind in _EXT.items():
        if name.endswith(ext):
            return kind
    ctype = (content_type or "").lower()
    if "html" in ctype:
        return "html"
    if "pdf" in ctype:
        return "pdf"
    if ctype.startswith("text/"):
        return "text"
    if _looks_like_text(head):
        return "text"
    return "unknown"


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return True  # a broken DOCX: the DOCX reader reports it as corrupt


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    return any(head.decode(enc, errors="replace").count("\ufffd") <= 2
               for enc in ("utf-8", "gb18030"))
