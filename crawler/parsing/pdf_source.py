"""PDFs: characters with their boxes (pypdfium2), grouped into lines and cells by geometry.

Blank table cells leave no text in a PDF, so cells keep their x positions and the table
readers match them to column centres. Before pdfium reads a file, its Flate streams are
inflated with a running count (:func:`crawler.parsing.inflate.check_pdf_streams`): a stream
inflating past :data:`MAX_STREAM_BYTES` (a 1 GiB content stream in a 1 MB file) is
``too_large``.
"""

from __future__ import annotations

import ctypes
import statistics
from dataclasses import dataclass
from typing import Any

from crawler.parsing.inflate import check_pdf_streams
from crawler.parsing.layout import Cell, Doc, Line, Source
from crawler.parsing.outcome import ParseFailure

#: Bytes one PDF stream, and all of them together, may inflate to (checked before pdfium).
MAX_STREAM_BYTES = 256 * 1024 * 1024
MAX_STREAMS_BYTES = 1024 * 1024 * 1024


@dataclass
class _Char:
    ch: str
    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def pdf_document(data: bytes) -> Doc:
    """Lines of all pages, top to bottom; raises ParseFailure for encrypted/broken/scanned PDFs."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    truncated = b"%%EOF" not in data[-8192:]
    check_pdf_streams(data, MAX_STREAM_BYTES, MAX_STREAMS_BYTES)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text or "security" in text:
            raise ParseFailure("encrypted", "the PDF is password-protected; ask for an unprotected copy") from exc
        hint = "it is truncated; fetch it again" if truncated else "it may be damaged"
        raise ParseFailure("corrupt", f"the PDF cannot be opened ({exc}); {hint}") from exc
    lines: list[Line] = []
    warnings: list[str] = []
    n_chars = 0
    has_images = False
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            chars = _chars(textpage, raw)
            n_chars += len(chars)
            if not chars and not has_images:
                has_images = any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
            lines.extend(_lines(chars, index + 1))
            textpage.close()
            page.close()
    except pdfium.PdfiumError as exc:
        raise ParseFailure("corrupt", f"the PDF cannot be read ({exc})") from exc
    finally:
        pdf.close()
    if n_chars == 0:
        if has_images:
            raise ParseFailure("needs_ocr", "the PDF holds only images of text; run OCR (e.g. ocrmypdf) first")
        raise ParseFailure("corrupt", "the PDF has no text and no images")
    if b"%%EOF" not in data[-8192:]:
        raise ParseFailure("corrupt", "the PDF is truncated (no %%EOF marker at its end); fetch it again")
    return Doc(lines, "geometry", warnings)


def _chars(textpage: object, raw: Any) -> list[_Char]:
    """Characters with their loose (font-height) boxes, so a line's boxes line up."""
    handle = textpage.raw  # type: ignore[attr-defined]
    count = raw.FPDFText_CountChars(handle)
    rect = raw.FS_RECTF()
    out: list[_Char] = []
    get_unicode = raw.FPDFText_GetUnicode
    get_box = raw.FPDFText_GetLooseCharBox
    ref = ctypes.byref(rect)
    for i in range(count):
        code = get_unicode(handle, i)
        if code <= 32 or code == 0xA0 or code == 0x3000 or 0xD800 <= code <= 0xDFFF:
            continue
        if not get_box(handle, i, ref):
            continue
        out.append(_Char(chr(code), rect.left, rect.right, rect.bottom, rect.top))
    return out


def _lines(chars: list[_Char], page: int) -> list[Line]:
    if not chars:
        return []
    heights = [c.y1 - c.y0 for c in chars if c.y1 > c.y0]
    height = statistics.median(heights) if heights else 10.0
    ordered = sorted(chars, key=lambda c: -c.cy)
    groups: list[list[_Char]] = []
    current: list[_Char] = []
    anchor = 0.0
    for ch in ordered:
        if current and abs(anchor - ch.cy) > height * 0.5:
            groups.append(current)
            current = []
        if not current:
            anchor = ch.cy
        current.append(ch)
    if current:
        groups.append(current)
    return [_split(sorted(g, key=lambda c: c.x0), height, page) for g in groups]


def _split(chars: list[_Char], height: float, page: int) -> Line:
    gap = max(height * 0.6, 2.5)
    cells: list[Cell] = []
    start = 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or chars[i].x0 - chars[i - 1].x1 > gap:
            run = chars[start:i]
            box = (run[0].x0, min(c.y0 for c in run), run[-1].x1, max(c.y1 for c in run))
            cells.append(Cell("".join(c.ch for c in run), run[0].x0, run[-1].x1, source=Source(page=page, box=box)))
            start = i
    return Line(cells, in_table=len(cells) > 1)
