"""PDF renderer: A4 pages, CJK text in the built-in CID font, tables as ruled grids.

``STSong-Light`` is one of the Adobe CID fonts every PDF reader knows, so no font file is
embedded and pdfminer/pdfplumber map the glyphs back to Unicode. Output is byte-for-byte
reproducible (reportlab ``invariant`` mode).
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from crawler.testbed.reportgen.document import blocks
from crawler.testbed.reportgen.model import GeneratedReport
from crawler.testbed.reportgen.tables import Grid

FONT = "STSong-Light"
_WIDTH = A4[0] - 40 * mm
#: Relative column widths per table width (grid columns).
_COLUMN_WEIGHTS: dict[int, tuple[float, ...]] = {
    4: (1.6, 1, 1, 1),
    10: (0.9, 1.0, 2.4, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7),
    15: (1,) * 15,
}


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body",
        fontName=FONT,
        fontSize=11,
        leading=17,
        wordWrap="CJK",
        firstLineIndent=22,
        spaceAfter=4,
    )
    return {
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontSize=16,
            leading=24,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceAfter=12,
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=12, firstLineIndent=0, spaceBefore=6
        ),
        "paragraph": base,
        "signature": ParagraphStyle(
            "signature", parent=base, alignment=TA_RIGHT, firstLineIndent=0
        ),
        "cell": ParagraphStyle(
            "cell", fontName=FONT, fontSize=7.5, leading=9.5, wordWrap="CJK", alignment=TA_CENTER
        ),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(grid: Grid, cell_style: ParagraphStyle) -> Table:
    data: list[list[object]] = [["" for _ in range(grid.ncols)] for _ in grid.rows]
    style: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for r, c, cell in grid.placed():
        data[r][c] = Paragraph(_escape(cell.text), cell_style) if cell.text else ""
        if cell.rowspan > 1 or cell.colspan > 1:
            style.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    weights = _COLUMN_WEIGHTS[grid.ncols]
    widths = [_WIDTH * w / sum(weights) for w in weights]
    table = Table(data, colWidths=widths, repeatRows=0)
    table.setStyle(TableStyle(style))
    return table


def render_pdf(report: GeneratedReport) -> bytes:
    """The report as a PDF document (deterministic bytes)."""
    _register_font()
    styles = _styles()
    story: list[Flowable] = []
    for block in blocks(report):
        if block.kind == "table" and block.grid is not None:
            story.append(_table(block.grid, styles["cell"]))
            story.append(Spacer(1, 4 * mm))
        else:
            story.append(Paragraph(_escape(block.text), styles[block.kind]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=report.title,
        author=report.agency,
        creator="govreports",
        invariant=1,
    )
    doc.build(story)
    return out.getvalue()
