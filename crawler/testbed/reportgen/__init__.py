"""Synthetic 政府信息公开工作年度报告 in both official templates, and their renderers.

Used by the sample portal (which serves them) and by the parser's round-trip tests (which
parse them back and compare with :meth:`GeneratedReport.expected_record`).
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
