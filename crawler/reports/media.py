"""File extensions of archived documents, from their media types: the one table.

The research bundle names its document files with it and the web app its downloads, so the
same document gets the same extension everywhere.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Final

#: Media types of report documents and the extension their files get.
EXTENSIONS: Final[dict[str, str]] = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.ms-works": ".wps",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/zip": ".zip",
    "application/ofd": ".ofd",
}
_SAFE_EXTENSION = re.compile(r"\.[a-z0-9]{1,8}")


def base_media_type(content_type: str | None) -> str:
    """``type/subtype`` of a Content-Type value, lower-cased, parameters dropped."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def extension_for(content_type: str | None) -> str:
    """A document file's extension: the table, else the system's guess, else ``.bin``.

    Always a dot and 1 to 8 lower-case letters or digits, so it is safe in a file name.
    """
    base = base_media_type(content_type)
    ext = EXTENSIONS.get(base) or (mimetypes.guess_extension(base) if base else None) or ".bin"
    return ext if _SAFE_EXTENSION.fullmatch(ext) else ".bin"
