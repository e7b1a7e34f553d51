"""Scanned (image-only) PDFs: pages rendered by pypdfium2, read by RapidOCR on the CPU.

RapidOCR's PyPI wheel (``rapidocr-onnxruntime``) ships its ONNX models, so nothing is
downloaded at run time. Each recognised text box becomes a cell with its page, its box in
PDF points and the recogniser's confidence; boxes are grouped into lines by their vertical
centres, as the PDF reader groups characters. The table readers then work as on a PDF.

Settings (environment): ``GOVREPORTS_OCR_DPI`` (default 200), ``GOVREPORTS_OCR_MAX_PAGES``
(default 40: longer scans are refused with ``needs_ocr``, as no parse time limit would fit),
``GOVREPORTS_OCR_MEMORY`` (the worker's wider memory cap for OCR) and
``GOVREPORTS_OCR_PAGE_SECONDS`` (default 60: the time limit grows by this much per page; see
:mod:`crawler.parsing.limits`).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crawler.config import env_value
from crawler.parsing import limits
from crawler.parsing.layout import Cell, Doc, Line, Source
from crawler.parsing.outcome import ParseFailure

DEFAULT_DPI = 200
MAX_PAGES = 40
#: Values read with less confidence than this are flagged in the record's warnings.
LOW_CONFIDENCE = 0.6
#: Boxes recognised with less confidence than this are dropped as noise. Lone zeros in table
#: cells come back as "0", "o" or "。" scoring 0.3-0.5, so the cut is low and they are flagged.
MIN_SCORE = 0.25

_DIGIT_LIKE = re.compile(r"^[0-9OoDlI|]+$")
_CONFUSED = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1"})
_LONE_ZERO = frozenset({"O", "o", "。", "〇", "○", "D", "0"})


@dataclass
class _Box:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    confidence: float

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@lru_cache(maxsize=1)
def engine() -> Any:
    """The RapidOCR engine, loaded once per process from the models in its wheel."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # pragma: no cover - a dependency
        raise ParseFailure("needs_ocr", "the PDF holds only images of text and RapidOCR is not installed "
                           "(pip install rapidocr-onnxruntime)") from exc
    return RapidOCR()


def ocr_document(data: bytes, dpi: int | None = None) -> Doc:
    """Lines of a scanned PDF, recognised page by page."""
    import numpy as np
    import pypdfium2 as pdfium

    limits.widen_for_ocr()  # the models need more memory than any text extractor
    dpi = dpi or int(env_value("GOVREPORTS_OCR_DPI") or DEFAULT_DPI)
    max_pages = int(env_value("GOVREPORTS_OCR_MAX_PAGES") or MAX_PAGES)
    pdf = pdfium.PdfDocument(data)
    try:
        if len(pdf) > max_pages:
            raise ParseFailure("needs_ocr", f"the scanned PDF has {len(pdf)} pages, over the OCR limit of "
                               f"{max_pages} (GOVREPORTS_OCR_MAX_PAGES)")
        limits.extend_for_ocr(len(pdf))  # the job's time limit grows by the per-page budget
        lines: list[Line] = []
        for index in range(len(pdf)):
            page = pdf[index]
            height = page.get_height()
            image = page.render(scale=dpi / 72, grayscale=True).to_numpy()
            page.close()
            if image.ndim == 3 and image.shape[2] == 1:
                image = image[:, :, 0]
            boxes = recognise(np.ascontiguousarray(image), dpi, height)
            lines.extend(_lines(boxes, index + 1))
    finally:
        pdf.close()
    if not any(line.key for line in lines):
        raise ParseFailure("needs_ocr", "OCR found no text in the page images")
    return Doc(lines, "geometry", [f"text recognised by OCR at {dpi} dpi; check flagged values"], ocr=True)


def recognise(image: Any, dpi: int, page_height: float) -> list[_Box]:
    """Text boxes of one page image, in PDF points (origin bottom left)."""
    result, _ = engine()(image, use_cls=False, text_score=MIN_SCORE, box_thresh=0.3)
    scale = 72 / dpi
    out: list[_Box] = []
    for points, text, score in result or []:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        out.append(_Box(_fix_digits(str(text).strip()), min(xs) * scale, max(xs) * scale,
                        page_height - max(ys) * scale, page_height - min(ys) * scale, float(score)))
    return [b for b in out if b.text]


def _fix_digits(text: str) -> str:
    """Letters the recogniser confuses with digits, inside a cell that is otherwise a number."""
    if text in _LONE_ZERO:
        return "0"
    if _DIGIT_LIKE.match(text) and any(c.isdigit() for c in text):
        return text.translate(_CONFUSED)
    return text


def _lines(boxes: list[_Box], page: int) -> list[Line]:
    if not boxes:
        return []
    height = statistics.median(b.y1 - b.y0 for b in boxes)
    ordered = sorted(boxes, key=lambda b: -b.cy)
    groups: list[list[_Box]] = []
    for box in ordered:
        if groups and abs(statistics.fmean(b.cy for b in groups[-1]) - box.cy) <= height * 0.5:
            groups[-1].append(box)
        else:
            groups.append([box])
    lines = []
    for group in groups:
        cells = [
            Cell(b.text, b.x0, b.x1, source=Source(page=page, box=(b.x0, b.y0, b.x1, b.y1), confidence=b.confidence))
            for b in sorted(group, key=lambda b: b.x0)
        ]
        lines.append(Line(cells, in_table=len(cells) > 1))
    return lines
