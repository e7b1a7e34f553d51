"""Serving an archived original: its bytes, its type, and headers that keep it harmless.

Crawled HTML must never run scripts on our origin: every original is served with
``Content-Security-Policy: sandbox`` (a unique origin, no scripts, no forms) and
``default-src 'none'`` (nothing loaded from anywhere), ``nosniff``, and a Content-Disposition
whose filename is made of the digest and a known extension only.
"""

from __future__ import annotations

import re
from pathlib import Path

from crawler.reports.media import extension_for
from storage.blobs import LocalBlobStore
from storage.models import Document
from storage.objects import BlobStore

DOCUMENT_CSP = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                "font-src data:; form-action 'none'; frame-ancestors 'self'")
_TOKEN = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$")
_CHARSET = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def media_type(doc: Document, charset: str | None) -> str:
    """The document's content type (only a well-formed type/subtype; else octet-stream)."""
    base = (doc.content_type or "").split(";", 1)[0].strip().lower()
    if not _TOKEN.match(base):
        return "application/octet-stream"
    if base.startswith("text/") and charset and _CHARSET.match(charset):
        return f"{base}; charset={charset}"
    return base


def filename(doc: Document) -> str:
    """A safe download name: the first 16 hex digits of the digest and an extension."""
    return f"{doc.sha256[:16]}{extension_for(doc.content_type)}"


def headers(doc: Document, *, download: bool) -> dict[str, str]:
    """Response headers for an original: disposition, sandbox CSP, nosniff, caching."""
    disposition = "attachment" if download else "inline"
    return {
        "Content-Disposition": f'{disposition}; filename="{filename(doc)}"',
        "Content-Security-Policy": DOCUMENT_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "public, max-age=31536000, immutable",
        "ETag": f'"{doc.sha256}"',
    }


def blob_bytes(doc: Document, blobs: BlobStore) -> bytes | None:
    """The blob's bytes from an object store (None when it is not there)."""
    try:
        return blobs.get(doc.sha256)
    except FileNotFoundError:
        return None


def blob_file(doc: Document, archive_dir: Path | None) -> Path | None:
    """Where the blob is: under ``archive_dir/blobs`` when given, else its recorded path."""
    candidates = []
    if archive_dir is not None:
        candidates.append(LocalBlobStore(archive_dir / "blobs").path_for(doc.sha256))
    if doc.blob_path:
        candidates.append(Path(doc.blob_path))
    for path in candidates:
        if path.is_file():
            return path
    return None
