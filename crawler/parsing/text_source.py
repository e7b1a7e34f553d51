"""Plain text as PDF extractors print it: tab-separated cells, or columns padded with spaces."""

from __future__ import annotations

import re

from crawler.parsing.layout import Cell, Doc, Line

_GAP = re.compile(r"\S+(?: \S+)*")  # runs separated by two or more spaces


def text_document(text: str) -> Doc:
    """Lines of cells: split on tabs when the text has them, else on runs of 2+ spaces."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    if any("\t" in line for line in raw):
        return Doc([_tab_line(line) for line in raw], "tabs")
    return Doc([_spaced_line(line) for line in raw], "geometry")


def _tab_line(line: str) -> Line:
    parts = line.split("\t")
    cells = [Cell(p.strip(), i, i + 1) for i, p in enumerate(parts)]
    return Line(cells, in_table=len(parts) > 1)


def _width(text: str) -> int:
    return len(text)  # pdftotext -layout gives every character one column


def _spaced_line(line: str) -> Line:
    cells: list[Cell] = []
    for m in _GAP.finditer(line.replace("\u3000", "  ")):
        x0 = _width(line[: m.start()])
        cells.append(Cell(m.group(), x0, x0 + _width(m.group())))
    if not cells:
        return Line([Cell("", 0, 1)])
    return Line(cells, in_table=len(cells) > 1)
