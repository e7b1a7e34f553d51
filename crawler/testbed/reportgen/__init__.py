"""Synthetic 政府信息公开工作年度报告 in both official templates, and their renderers.

Used by the sample portal (which serves them) and by the parser's round-trip tests (which
parse them back and compare with :meth:`GeneratedReport.expected_record`).

Modules:

* ``corpus``: Plausible agency names and the prose of sections 一, 五 and 六, for synthetic reports.
* ``doc``: Legacy Word 97 (.doc, OLE) renderer: the DOCX rendering converted by LibreOffice.
* ``document``: A report as an ordered list of blocks (title, paragraphs, headings, tables,
  signature).
* ``docx``: DOCX renderer (python-docx): paragraphs and tables with merged cells, reproducible
  bytes.
* ``generate``: Random synthetic annual reports with varied numbers, consistent or broken on
  purpose.
* ``html``: HTML renderers: the article fragment as TRS/Hanweb pages carry it, and a whole page.
* ``make_doc_fixtures``: Make the committed .doc fixtures: ``python -m
  crawler.testbed.reportgen.make_doc_fixtures [OUTDIR]``.
* ``model``: The generated report: one annual report's values, before it is rendered.
* ``notice``: Pages that talk about annual reports without being one: the noise a classifier must
  skip.
* ``pdf``: PDF renderer: A4 pages, CJK text in the built-in CID font, tables as ruled grids.
* ``pre2019``: Reports in the pre-2019 shape: prose sections and the 政府信息公开情况统计表.
* ``scan``: Scanned reports: a rendered PDF rasterised page by page into an image-only PDF.
* ``tables``: The four standard tables laid out as grids of merged cells, as the official forms draw
  them.
* ``text``: Plain text as PDF/HTML text extractors print a report (the shape of ../shared/seeds).
* ``variants``: Renderings as other tools and people produce them: Markdown, transcriptions, retyped
  labels.
"""

from __future__ import annotations

from crawler.reports.form import format_number
from crawler.testbed.reportgen.doc import ConverterMissing, render_doc
from crawler.testbed.reportgen.docx import render_docx
from crawler.testbed.reportgen.generate import random_report, template_for_year
from crawler.testbed.reportgen.html import render_html, render_html_page
from crawler.testbed.reportgen.model import GeneratedReport, failed_checks
from crawler.testbed.reportgen.notice import render_notice_html
from crawler.testbed.reportgen.pdf import render_pdf
from crawler.testbed.reportgen.text import render_text

__all__ = [
    "ConverterMissing",
    "GeneratedReport",
    "failed_checks",
    "format_number",
    "random_report",
    "render_doc",
    "render_docx",
    "render_html",
    "render_html_page",
    "render_notice_html",
    "render_pdf",
    "render_text",
    "template_for_year",
]
