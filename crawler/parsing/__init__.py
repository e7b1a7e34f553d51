"""Parse 政府信息公开工作年度报告 (HTML, PDF, DOCX, DOC/WPS, text) into the record of issue 3.

>>> outcome = parse_file("report.pdf")
>>> outcome.status, outcome.record["applications"]["total"]["total"]

The record is documented in ``docs/record.md`` and ``crawler/parsing/record.schema.json``.
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
