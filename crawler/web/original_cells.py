"""A value's place in its original: the table of an HTML or DOCX document that holds it, with
the value's cell marked. The report page links each number of an HTML or DOCX report here (a
PDF's numbers open the PDF at their page instead).

Cells are addressed as the parser recorded them (docs/record.md): HTML by ``element`` (the
browser's ``getElementsByTagName("table")[t].rows[r].cells[c]``), DOCX by ``table``, ``row``
and grid ``column``. Only the text of the original's cells is shown, never its markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO


@dataclass
class ExcerptCell:
    """One cell of the excerpt: its text, spans, and whether it holds the value."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    target: bool = False


@dataclass
class TableExcerpt:
    """The table holding the value, row by row, and where the value is in words."""

    rows: list[list[ExcerptCell]] = field(default_factory=list)
    where: str = ""


def parse_address(text: str) -> tuple[int, int, int]:
    """``"t,r,c"`` -> (t, r, c); ValueError when it is not three numbers of 0 or more."""
    parts = [int(p) for p in text.split(",")]
    if len(parts) != 3 or min(parts) < 0:
        raise ValueError("a cell address is three numbers: table,row,cell (from 0)")
    return parts[0], parts[1], parts[2]


def html_excerpt(text: str, table: int, row: int, cell: int) -> TableExcerpt:
    """The ``table``-th ``<table>`` of an HTML page, its ``row``-th DOM row's ``cell``-th cell
    marked. Raises LookupError when the page has no such cell."""
    import lxml.html

    from crawler.parsing.html_source import dom_rows

    root = lxml.html.fromstring(text)
    tables = list(root.iter("table"))
    if table >= len(tables):
        raise LookupError(f"the page has {len(tables)} table(s), not {table + 1}")
    rows = dom_rows(tables[table])
    if row >= len(rows):
        raise LookupError(f"table {table + 1} has {len(rows)} row(s), not {row + 1}")
    excerpt = TableExcerpt(where=f"表{table + 1} 第{row + 1}行 第{cell + 1}格 "
                                 f"(table {table + 1}, row {row + 1}, cell {cell + 1})")
    found = False
    for r, tr in enumerate(rows):
        cells = [td for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
        out = []
        for c, td in enumerate(cells):
            target = r == row and c == cell
            found = found or target
            out.append(ExcerptCell(" ".join(td.text_content().split()), _span(td.get("colspan")),
                                   _span(td.get("rowspan")), target))
        excerpt.rows.append(out)
    if not found:
        raise LookupError(f"row {row + 1} of table {table + 1} has no cell {cell + 1}")
    return excerpt


def docx_excerpt(data: bytes, table: int, row: int, column: int) -> TableExcerpt:
    """The ``table``-th table of a DOCX body (as the parser counts them), the cell covering
    grid ``column`` of ``row`` marked. Raises LookupError when there is no such cell."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(BytesIO(data))
    tables = list(document.element.body.iterchildren(qn("w:tbl")))
    if table >= len(tables):
        raise LookupError(f"the document has {len(tables)} table(s), not {table + 1}")
    excerpt = TableExcerpt(where=f"表{table + 1} 第{row + 1}行 第{column + 1}列 "
                                 f"(table {table + 1}, row {row + 1}, column {column + 1})")
    found = False
    for r, tr in enumerate(tables[table].iterchildren(qn("w:tr"))):
        out, col = [], 0
        for tc in tr.iterchildren(qn("w:tc")):
            span_el = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            span = _span(span_el.get(qn("w:val")) if span_el is not None else None)
            text = " ".join("".join(t.text or "" for t in tc.iter(qn("w:t"))).split())
            target = r == row and col <= column < col + span
            found = found or target
            out.append(ExcerptCell(text, span, 1, target))
            col += span
        excerpt.rows.append(out)
    if not found:
        raise LookupError(f"table {table + 1} has no cell at row {row + 1}, column {column + 1}")
    return excerpt


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1
