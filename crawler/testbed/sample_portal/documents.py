"""Attachment bytes for a generated report: PDF, DOCX and DOC, from ``crawler.testbed.reportgen``.

DOC needs LibreOffice and takes seconds per file, so DOC bytes are cached on disk, keyed by
the report's content (``GOVREPORTS_CACHE_DIR``, default ``~/.cache/govreports``). Without
LibreOffice a DOC slot is served as DOCX instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from crawler.testbed.reportgen import GeneratedReport, render_doc, render_docx, render_pdf

Kind = Literal["pdf", "docx", "doc"]

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
}


@dataclass(frozen=True)
class Attachment:
    """Rendered attachment: its bytes, its real extension and content type."""

    body: bytes
    ext: str
    content_type: str


def render_attachment(report: GeneratedReport, kind: Kind) -> Attachment:
    """Render ``report`` as ``kind``; a DOC without a converter falls back to DOCX."""
    key = (kind, report_key(report))
    if key not in _RENDERED:
        _RENDERED[key] = _render(report, kind)
    return _RENDERED[key]


#: Renderings made in this process: portals built again (tests, benchmarks) reuse them.
_RENDERED: dict[tuple[str, str], Attachment] = {}


def _render(report: GeneratedReport, kind: Kind) -> Attachment:
    if kind == "doc":
        try:
            return Attachment(cached_doc(report), "doc", CONTENT_TYPES["doc"])
        except RuntimeError:  # ConverterMissing, or soffice failed
            kind = "docx"
    body = render_pdf(report) if kind == "pdf" else render_docx(report)
    return Attachment(body, kind, CONTENT_TYPES[kind])


def report_key(report: GeneratedReport) -> str:
    """A digest of everything a renderer reads from ``report``."""
    record = {"record": report.expected_record(), "layout": report.layout_seed,
              "preamble": report.preamble, "signature": report.signature}
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def cache_dir() -> Path:
    """Where converted DOC files are kept between runs."""
    configured = os.environ.get("GOVREPORTS_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "govreports"


def cached_doc(report: GeneratedReport) -> bytes:
    """``render_doc(report)``, converted once per distinct report and then read from disk."""
    path = cache_dir() / "doc" / f"{report_key(report)}.doc"
    if path.is_file():
        return path.read_bytes()
    body = render_doc(report)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(body)
        os.replace(tmp.name, path)
    except OSError:  # a read-only home is no reason to fail; we just convert again next time
        pass
    return body
