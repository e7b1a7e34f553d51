"""Parse 政府信息公开工作年度报告 (HTML, PDF, DOCX, DOC/WPS, text) into the record of issue 3.

>>> outcome = parse_file("report.pdf")
>>> outcome.status, outcome.record["applications"]["total"]["total"]

The record is documented in ``docs/record.md`` and ``crawler/parsing/record.schema.json``.

Modules:

* ``active``: Section 二 (主动公开政府信息情况): rows and fields of either template, as found.
* ``anchors``: Find the tables of sections 二, 三 and 四 by what they are, not by the heading above them.
* ``api``: Parse one document into the record, safely: size cap, format detection, a time limit.
* ``applications``: Section 三 (收到和处理政府信息公开申请情况): 7 applicant columns, rows of either template.
* ``detect``: Which kind of document some bytes are: magic bytes first, then the name or content
  type.
* ``doc_source``: Legacy Word/WPS binary files (OLE): LibreOffice when installed, else ``antiword``.
* ``docx_source``: DOCX files: body paragraphs and tables in order, merged cells expanded (python-
  docx XML).
* ``html_source``: HTML pages: paragraphs in reading order and tables expanded into grids (lxml).
* ``labels``: Fuzzy matching of headings and labels against the official forms' wording (rapidfuzz).
* ``layout``: The neutral form every extractor produces: lines of positioned cells.
* ``limits``: The parse worker's resource limits: address space, CPU time, and OCR's wider allowance.
* ``numbers``: Reading numbers and blanks out of table cells.
* ``ocr_source``: Scanned (image-only) PDFs: pages rendered by pypdfium2, read by RapidOCR on the CPU.
* ``outcome``: The result of parsing one document: a status, a message and, when ok, the record.
* ``pdf_source``: PDFs: characters with their boxes (pypdfium2), grouped into lines and cells by
  geometry.
* ``pre2019``: Reports before the 2019 form: the 政府信息公开情况统计表 of label, unit and value.
* ``record``: From an extracted :class:`Doc` to the record of issue 3 (see docs/record.md).
* ``reparse``: Re-parse every archived report document with the current parser, fetching nothing.
* ``review``: Section 四 (行政复议、行政诉讼): 3 groups of 5 columns, usually one row of 15 values.
* ``sections``: The document's outline: title, agency, year, signature date and the six sections.
* ``summary``: A readable summary of a parse outcome, for ``govreports parse FILE``.
* ``text_source``: Plain text as PDF extractors print it: tab-separated cells, or columns padded
  with spaces.
* ``values``: Placing a row's cells into the table's columns.
* ``version``: The parser's version, recorded in every record; bump it when the output changes.
* ``inflate``: Measure what compressed parts of a document really inflate to, never trusting their headers.
"""

from __future__ import annotations

from crawler.parsing.api import MAX_BYTES, parse_bytes, parse_file
from crawler.parsing.outcome import STATUSES, ParseOutcome
from crawler.parsing.summary import format_summary
from crawler.parsing.version import PARSER_VERSION

__all__ = [
    "MAX_BYTES",
    "PARSER_VERSION",
    "STATUSES",
    "ParseOutcome",
    "format_summary",
    "parse_bytes",
    "parse_file",
]
