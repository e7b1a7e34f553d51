"""Scanned reports: a rendered PDF rasterised page by page into an image-only PDF."""

from __future__ import annotations

import io
from typing import Any

from crawler.testbed.reportgen.model import GeneratedReport
from crawler.testbed.reportgen.pdf import render_pdf


def rasterise_pdf(
    pdf: bytes,
    dpi: int = 200,
    pages: list[int] | None = None,
    between: tuple[str, str] | None = None,
) -> bytes:
    """An image-only PDF of ``pdf``'s pages (0-based ``pages``, default all) at ``dpi``.

    ``between`` (two texts on the same page) keeps only the band from the first text's line
    down to just above the second's: a short scan of one table, for quick OCR tests.
    """
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        wanted = pages if pages is not None else list(range(len(document)))
        images = []
        for index in wanted:
            page = document[index]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            if between is not None:
                top = _text_top(page, between[0])
                bottom = _text_top(page, between[1])
                height = page.get_height()
                image = image.crop((0, int((height - top - 6) * dpi / 72), image.width,
                                    int((height - bottom - 4) * dpi / 72)))
            images.append(image)
            page.close()
    finally:
        document.close()
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def _text_top(page: Any, text: str) -> float:
    """The top (PDF points from the bottom) of ``text``'s first character on the page."""
    textpage = page.get_textpage()
    try:
        found = textpage.search(text).get_next()
        if not found:
            raise ValueError(f"{text!r} is not on the page")
        return float(textpage.get_charbox(found[0])[3])
    finally:
        textpage.close()


def render_scanned_pdf(report: GeneratedReport, dpi: int = 200, pages: list[int] | None = None) -> bytes:
    """The report as a scan: its PDF rendering rasterised at ``dpi``."""
    return rasterise_pdf(render_pdf(report), dpi, pages)
