"""DOCX renderer (python-docx): paragraphs and tables with merged cells, reproducible bytes."""

from __future__ import annotations

import datetime
import io
import zipfile

import docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.run import Run

from crawler.testbed.reportgen.document import blocks
from crawler.testbed.reportgen.model import GeneratedReport
from crawler.testbed.reportgen.tables import Grid

FONT = "宋体"
#: Timestamp written into every zip entry, so equal documents give equal bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _set_font(run: Run, size: float) -> None:
    run.font.size = Pt(size)
    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _add_table(document: Document, grid: Grid) -> None:
    table = document.add_table(rows=len(grid.rows), cols=grid.ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # table.cell() re-walks the whole table on every call; take the cells once, up front.
    cells = table._cells
    n = grid.ncols
    for r, c, cell in grid.placed():
        target = cells[r * n + c]
        if cell.rowspan > 1 or cell.colspan > 1:
            corner = cells[(r + cell.rowspan - 1) * n + c + cell.colspan - 1]
            target = target.merge(corner)
        paragraph = target.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if cell.text:
            _set_font(paragraph.add_run(cell.text), 9)


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed entry timestamps (python-docx stamps the wall clock)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def render_docx(report: GeneratedReport) -> bytes:
    """The report as a Word 2007+ document (deterministic bytes)."""
    document = docx.Document()
    stamp = datetime.datetime.combine(report.published_on, datetime.time(9, 0))
    props = document.core_properties
    props.title = report.title
    props.author = report.agency
    props.last_modified_by = report.agency
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.comments = ""
    for block in blocks(report):
        if block.kind == "table" and block.grid is not None:
            _add_table(document, block.grid)
            continue
        paragraph = document.add_paragraph()
        if block.kind == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _set_font(paragraph.add_run(block.text), 18)
        elif block.kind == "heading":
            run = paragraph.add_run(block.text)
            run.bold = True
            _set_font(run, 14)
        elif block.kind == "signature":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _set_font(paragraph.add_run(block.text), 14)
        else:
            paragraph.paragraph_format.first_line_indent = Pt(28)
            _set_font(paragraph.add_run(block.text), 14)
    out = io.BytesIO()
    document.save(out)
    return _normalise_zip(out.getvalue())
