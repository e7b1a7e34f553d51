"""The neutral form every extractor produces: lines of positioned cells.

A :class:`Cell` has a horizontal extent ``x0..x1``: a column index for tab-separated text
and HTML/DOCX grids, page coordinates for PDFs. :class:`Doc` says which kind it is, so the
table readers know whether cell positions are exact grid columns or measured geometry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

#: "tabs": tab-separated extractor text (blank cells are empty fields, alignment unreliable);
#: "grid": HTML/DOCX table cells (exact); "geometry": measured x positions (PDF, spaced text).
Mode = Literal["tabs", "grid", "geometry"]

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def key(text: str) -> str:
    """Matching form of a text: NFKC (full-width to ASCII), no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Source:
    """Where a cell sits in the original document, so every number can be traced back.

    PDF (and OCR): ``page`` (1-based) and ``box`` (x0, y0, x1, y1 in PDF points, origin at the
    page's bottom left, as in PDF user space); HTML/DOCX: ``table``, ``row`` and ``column``
    (0-based, in the expanded grid); text: ``line`` (1-based) and ``column``. OCR cells also
    carry the recogniser's ``confidence`` (0..1). HTML cells also carry ``element``: the
    ``<td>``/``<th>`` as a browser's DOM finds it (``document.getElementsByTagName("table")[t]
    .rows[r].cells[c]``, all 0-based), so a reader can highlight the very cell in the page.
    """

    page: int | None = None
    box: tuple[float, float, float, float] | None = None
    table: int | None = None
    row: int | None = None
    column: int | None = None
    line: int | None = None
    confidence: float | None = None
    element: tuple[int, int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        """The non-empty fields, boxes rounded to 0.1 pt."""
        out: dict[str, Any] = {}
        for name in ("page", "table", "row", "column", "line"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.box is not None:
            out["box"] = [round(v, 1) for v in self.box]
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 3)
        if self.element is not None:
            out["element"] = list(self.element)
        return out


@dataclass(frozen=True)
class Cell:
    """One cell of a line; ``carried`` marks a label repeated from a rowspan above."""

    text: str
    x0: float
    x1: float
    carried: bool = False
    source: Source | None = None

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Line:
    """A paragraph (one cell) or a table row (several cells)."""

    cells: list[Cell]
    in_table: bool = False

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells if c.text).strip()

    @property
    def key(self) -> str:
        return key("".join(c.text for c in self.cells))


@dataclass
class Doc:
    """An extracted document: its lines in reading order and how cells are positioned."""

    lines: list[Line]
    mode: Mode
    warnings: list[str] = field(default_factory=list)
    page_title: str | None = None  # an HTML <title>
    ocr: bool = False  # the text was recognised from page images


def paragraph(text: str) -> Line:
    """A one-cell line."""
    return Line([Cell(text.strip(), 0, 1)])
