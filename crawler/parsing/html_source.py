"""HTML pages: paragraphs in reading order and tables expanded into grids (lxml)."""

from __future__ import annotations

from lxml import html as lxml_html
from lxml.etree import ParserError, _Element

from crawler.parsing.layout import Cell, Doc, Line, Source, paragraph

_BLOCK = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
    "header", "footer", "center", "blockquote", "pre", "tr", "dl", "dt", "dd", "form", "main",
    "caption", "hr", "address", "nav", "aside", "figure", "body",
})
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe", "select"})


def html_document(text: str) -> Doc:
    """Lines of an HTML page: block text as paragraphs, innermost tables as grid rows."""
    try:
        root = lxml_html.document_fromstring(text)
    except (ParserError, ValueError):
        return Doc([], "grid")
    walker = _Walker(list(root.iter("table")))
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    title = root.findtext(".//title")
    return Doc(walker.lines, "grid", page_title=title.strip() if title else None)


class _Walker:
    def __init__(self, all_tables: list[_Element]) -> None:
        self.lines: list[Line] = []
        self.buffer: list[str] = []
        self.tables = 0
        # every <table> in document order, as document.getElementsByTagName("table") lists them
        self.dom_index = {el: i for i, el in enumerate(all_tables)}

    def flush(self) -> None:
        text = "".join(self.buffer).replace("\xa0", " ").strip()
        self.buffer = []
        if text:
            self.lines.append(paragraph(" ".join(text.split())))

    def walk(self, el: _Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            self._tail(el)
            return
        if tag == "table" and el.find(".//table") is None and _is_data_table(el):
            self.flush()
            self.lines.extend(table_lines(el, self.tables, self.dom_index.get(el)))
            self.tables += 1
            self._tail(el)
            return
        block = tag in _BLOCK or tag == "table" or tag == "td" or tag == "th"
        if block:
            self.flush()
        if tag == "br":
            self.flush()
        if el.text and tag:
            self.buffer.append(el.text)
        for child in el:
            self.walk(child)
        if block:
            self.flush()
        self._tail(el)

    def _tail(self, el: _Element) -> None:
        if el.tail:
            self.buffer.append(el.tail)


def _is_data_table(table: _Element) -> bool:
    """A table with at least two cells in some row (single-cell tables only frame the page)."""
    return any(sum(1 for td in tr if td.tag in ("td", "th")) > 1 for tr in table.iter("tr"))


def _cell_text(el: _Element) -> str:
    text = " ".join(t.replace("\xa0", " ") for t in el.itertext())
    return " ".join(text.split())


def _span(el: _Element, name: str) -> int:
    try:
        return max(1, min(int(str(el.get(name, "1")).strip() or 1), 200))
    except ValueError:
        return 1


def _take_carried(carried: dict[tuple[int, int], Cell], r: int, col: int, cells: list[Cell]) -> int:
    """Append labels spanning down into row ``r`` at ``col``; the next free column."""
    while (r, col) in carried:
        origin = carried.pop((r, col))
        if origin.x0 == col:
            cells.append(Cell(origin.text, origin.x0, origin.x1, carried=True))
        col += 1
    return col


def dom_rows(table: _Element) -> list[_Element]:
    """The table's rows in the order of the DOM's ``table.rows``: ``<thead>`` rows first, then
    rows of the table itself and its ``<tbody>``s, then ``<tfoot>`` rows."""
    head: list[_Element] = []
    body: list[_Element] = []
    foot: list[_Element] = []
    for child in table:
        if child.tag == "tr":
            body.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows = [tr for tr in child if tr.tag == "tr"]
            (head if child.tag == "thead" else foot if child.tag == "tfoot" else body).extend(rows)
    return head + body + foot


def table_lines(table: _Element, index: int = 0, dom_table: int | None = None) -> list[Line]:
    """Rows of a table with rowspan/colspan expanded: spanned label text is carried down.

    ``index`` is the table's place among the page's data tables (0-based), kept in each
    cell's :class:`Source` with its row and column; ``dom_table`` is its place among all the
    page's ``<table>`` elements, kept with the row's and cell's DOM indexes as ``element``.
    """
    carried: dict[tuple[int, int], Cell] = {}
    lines: list[Line] = []
    rows = [tr for tr in table.iter("tr")]
    dom_row = {tr: i for i, tr in enumerate(dom_rows(table))} if dom_table is not None else {}
    for r, tr in enumerate(rows):
        cells: list[Cell] = []
        col = _take_carried(carried, r, 0, cells)
        dom_cell = -1
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            dom_cell += 1
            col = _take_carried(carried, r, col, cells)
            colspan, rowspan = _span(td, "colspan"), _span(td, "rowspan")
            element = (dom_table, dom_row[tr], dom_cell) if dom_table is not None and tr in dom_row else None
            cell = Cell(_cell_text(td), col, col + colspan,
                        source=Source(table=index, row=r, column=col, element=element))
            cells.append(cell)
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    carried[(r + dr, col + dc)] = cell
            col += colspan
        _take_carried(carried, r, col, cells)
        lines.append(Line(cells, in_table=True))
    return lines
