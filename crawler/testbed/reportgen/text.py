"""Plain text as PDF/HTML text extractors print a report (the shape of ../shared/seeds).

Paragraphs are separated by blank lines; each table row is one line of tab-separated
fields, one field per grid column (merged and blank cells give empty fields). In the
"extractor" variant (``layout_seed`` bit 2) the title has spaces around the year, labels
of cells spanning several rows are broken into pieces over those rows, long labels carry
the space a line wrap leaves, and column headers are split into two-character pieces.
"""

from __future__ import annotations

from crawler.testbed.reportgen.document import blocks
from crawler.testbed.reportgen.model import GeneratedReport
from crawler.testbed.reportgen.tables import Cell, Grid

_WRAP_AT = 18


def _chunks(text: str, n: int) -> list[str]:
    size = -(-len(text) // n)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _cell_lines(cell: Cell, extractor: bool) -> list[str]:
    """The cell's text as it lands on each of the grid rows it covers."""
    text = cell.text
    if not extractor or not text or cell.value:
        return [text] + [""] * (cell.rowspan - 1)
    if cell.narrow:
        return [" ".join(_chunks(text, -(-len(text) // 2)))] + [""] * (cell.rowspan - 1)
    if cell.rowspan > 1:
        pieces = _chunks(text, min(cell.rowspan - 1 or 1, 3) if len(text) > 4 else 1)
        start = max(0, (cell.rowspan - len(pieces)) // 2)
        lines = [""] * cell.rowspan
        for i, piece in enumerate(pieces):
            lines[start + i] = piece
        return lines
    if len(text) > _WRAP_AT:
        return [text[:_WRAP_AT] + " " + text[_WRAP_AT:]]
    return [text]


def grid_text(grid: Grid, *, extractor: bool = False) -> str:
    """A table as tab-separated lines, one field per grid column."""
    fields = [[""] * grid.ncols for _ in grid.rows]
    for r, c, cell in grid.placed():
        for dr, line in enumerate(_cell_lines(cell, extractor)):
            fields[r + dr][c] = line
    return "\n".join("\t".join(row) for row in fields)


def render_text(report: GeneratedReport) -> str:
    """The report as extracted text: paragraphs, headings and tab-separated table rows."""
    extractor = bool(report.layout_seed >> 2 & 1)
    parts: list[str] = []
    for block in blocks(report):
        if block.kind == "table" and block.grid is not None:
            parts.append(grid_text(block.grid, extractor=extractor))
        elif block.kind == "title" and extractor:
            parts.append(block.text.replace(f"{report.year}年", f" {report.year} 年", 1))
        else:
            parts.append(block.text)
    return "\n\n".join(parts) + "\n"
