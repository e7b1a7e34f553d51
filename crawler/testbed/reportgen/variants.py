"""Renderings as other tools and people produce them: Markdown, transcriptions, retyped labels.

- :func:`render_markdown`: text with Markdown tables (merged cells flattened: the text in
  the top-left position, the covered positions empty); ``generic_headers`` replaces each
  table's header rows by one row of 数据1…数据N over the value columns, in the official
  column order.
- :func:`render_transcription`: a hand transcription, each table row on one line with
  single spaces, blanks written as ``-``.
- :func:`vary_wording`: the same document text with headings and labels reworded as real
  reports print them (typos, 社会组织 for 社会公益组织, half-width brackets, another wording of
  section 四's heading); :func:`break_labels_html` breaks long HTML labels with ``<br>``.
"""

from __future__ import annotations

import random

from crawler.testbed.reportgen.document import blocks
from crawler.testbed.reportgen.model import GeneratedReport
from crawler.testbed.reportgen.tables import Grid

#: (official wording, variants real reports print), applied to headings and table labels.
WORDING_VARIANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("四、政府信息公开行政复议、行政诉讼情况", (
        "四、因政府信息公开工作被申请行政复议、提起诉讼情况",
        "四、政府信息公开行政复仪、行政诉讼情况",
        "四、政府信息公开行政复议和行政诉讼的情况",
    )),
    ("三、收到和处理政府信息公开申请情况", ("三、收到和处理政府信息公开申请的情况",)),
    ("二、主动公开政府信息情况", ("二、主动公开政府信息的情况",)),
    ("社会公益组织", ("社会组织",)),
    ("（一）予以公开", ("（一）予已公开", "(一)予以公开")),
    ("（七）总计", ("(七)总计", "（七）总 计")),
    ("行政处罚", ("行政处份",)),
    ("政府集中采购", ("政府集中釆购",)),
    ("本年新制作数量", ("本年新制作的数量",)),
    ("对外公开总数量", ("对外公开总数",)),
)


def vary_wording(text: str, rng: random.Random) -> str:
    """``text`` with each official wording replaced, by chance, by one of its variants."""
    for official, variants in WORDING_VARIANTS:
        if official in text and rng.random() < 0.7:
            text = text.replace(official, rng.choice(variants))
    return text


def break_labels_html(html: str) -> str:
    """Long row labels broken over two lines inside their cells, as Word does."""
    for label in ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "其他法律行政法规禁止公开"):
        html = html.replace(label, label[:4] + "<br/>" + label[4:])
    return html


def _fields(grid: Grid) -> list[list[str]]:
    fields = [[""] * grid.ncols for _ in grid.rows]
    for r, c, cell in grid.placed():
        fields[r][c] = cell.text
    return fields


def _value_columns(grid: Grid) -> tuple[int, int]:
    """The first value row and the first value column of a grid."""
    first_row, first_col = len(grid.rows), grid.ncols
    for r, c, cell in grid.placed():
        if cell.value:
            first_row = min(first_row, r)
            first_col = min(first_col, c)
    return first_row, first_col


def markdown_table(grid: Grid, *, generic_headers: bool = False) -> str:
    """A Markdown table of the grid (header rule after the first row)."""
    rows = _fields(grid)
    if generic_headers:
        first_row, first_col = _value_columns(grid)
        if 0 < first_row < len(rows) and first_col < grid.ncols:
            generic = ["项目"] + [""] * (first_col - 1) + [
                f"数据{i}" for i in range(1, grid.ncols - first_col + 1)
            ]
            rows = [generic] + rows[first_row:]
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * grid.ncols]
    out += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(out)


def render_markdown(report: GeneratedReport, *, generic_headers: bool = False) -> str:
    """The report as Markdown: ``#`` title, ``##`` headings, paragraphs, pipe tables."""
    parts: list[str] = []
    for block in blocks(report):
        if block.kind == "table" and block.grid is not None:
            parts.append(markdown_table(block.grid, generic_headers=generic_headers))
        elif block.kind == "title":
            parts.append(f"# {block.text}")
        elif block.kind == "heading":
            parts.append(f"## {block.text}")
        else:
            parts.append(block.text)
    return "\n\n".join(parts) + "\n"


def render_transcription(report: GeneratedReport) -> str:
    """Each table row on one line: its label words, then its values with single spaces."""
    parts: list[str] = []
    for block in blocks(report):
        if block.kind != "table" or block.grid is None:
            parts.append(block.text)
            continue
        lines = []
        value_rows = {r for r, _, cell in block.grid.placed() if cell.value}
        for r, row in enumerate(_fields(block.grid)):
            label_cells = [t for t, cell_is_value in zip(row, _is_value(block.grid, r), strict=True)
                           if not cell_is_value and t]
            values = [t or "-" for t, v in zip(row, _is_value(block.grid, r), strict=True) if v]
            if r in value_rows:
                lines.append(" ".join(["".join(label_cells)] * bool(label_cells) + values))
            else:
                lines.append(" ".join(label_cells))
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _is_value(grid: Grid, r: int) -> list[bool]:
    flags = [False] * grid.ncols
    for rr, c, cell in grid.placed():
        if rr == r and cell.value:
            for dc in range(cell.colspan):
                flags[c + dc] = dc == 0
    return flags
