"""One content-type → extension table for the bundle and the web app's downloads."""

from __future__ import annotations

import pytest

from crawler.reports.media import EXTENSIONS, extension_for
from crawler.web.documents import filename
from storage.models import Document


@pytest.mark.parametrize(("content_type", "ext"), [
    ("application/xhtml+xml", ".html"),
    ("text/xml; charset=utf-8", ".xml"),
    ("application/xml", ".xml"),
    ("TEXT/HTML; charset=GBK", ".html"),
    ("application/pdf", ".pdf"),
    (None, ".bin"),
    ("", ".bin"),
    ("x-weird/thing", ".bin"),
])
def test_extension_for(content_type: str | None, ext: str) -> None:
    assert extension_for(content_type) == ext


@pytest.mark.parametrize("content_type", sorted(EXTENSIONS))
def test_web_download_name_uses_the_same_extension(content_type: str) -> None:
    doc = Document(sha256="ab" * 32, content_type=content_type)
    assert filename(doc) == f"{'ab' * 8}{EXTENSIONS[content_type]}"
