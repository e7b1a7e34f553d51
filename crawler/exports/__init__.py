"""Exports of the archive for researchers: tables (CSV, JSONL, Parquet, XLSX) and bundles.

>>> from crawler.exports import ExportFilters, export_to, write_bundle
>>> export_to(session, "parquet", Path("reports.parquet"), ExportFilters(region="固原市"))

Column names are in :mod:`crawler.exports.columns` and docs/exports.md.

Modules:

* ``bundle``: A research bundle: a BagIt bag with the data files, documents, WARC files and a
  README.
* ``columns``: The stable column names and types of every export table (documented in
  docs/exports.md).
* ``datapackage``: A Frictionless Data Package (``datapackage.json``) describing every exported
  file.
* ``query``: Select the reports to export, in batches, each assembled with its documents and values.
* ``readme``: The README of a research bundle: what is in it, and how, when and with what it was
  collected.
* ``rows``: One exported report as rows of the export tables: wide, tidy values, checks, JSON.
* ``run``: Run an export: select reports and hand each to one or more table writers.
* ``writers``: Streaming writers of the export tables: CSV, JSONL, Parquet and XLSX.
* ``cells``: Spreadsheet cells that cannot run: the one rule against formula (CSV) injection.
* ``codebook``: The codebook: every exported column with its official Chinese labels, unit and templates.
* ``naming``: Column name styles: ``default`` (``applications.granted.total``) or ``stata``.
* ``wacz``: A WACZ (Web Archive Collection Zipped) of the selected reports, for ReplayWeb.page and pywb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.exports.columns import (
    CHECK_COLUMNS,
    REPORT_FIELDS,
    TABLES,
    VALUE_COLUMNS,
    WIDE_COLUMNS,
)
from crawler.exports.query import (
    ExportedReport,
    ExportFilters,
    FilterError,
    count_reports,
    iter_reports,
    select_reports,
)
from crawler.exports.rows import check_rows, json_object, value_rows, wide_row
from crawler.exports.run import ExportResult, export_reports, export_to
from crawler.exports.writers import FORMATS, open_writer

if TYPE_CHECKING:
    from crawler.exports.bundle import BundleError, BundleResult, write_bundle

#: Names loaded on first use: ``bundle`` imports frictionless (pydantic, requests...), which
#: every ``govreports`` command (a crawl too) would pay for at start-up through ``cli.export``.
_LAZY = {"BundleError", "BundleResult", "write_bundle"}

__all__ = [
    "CHECK_COLUMNS",
    "FORMATS",
    "REPORT_FIELDS",
    "TABLES",
    "VALUE_COLUMNS",
    "WIDE_COLUMNS",
    "BundleError",
    "BundleResult",
    "ExportFilters",
    "ExportResult",
    "ExportedReport",
    "FilterError",
    "check_rows",
    "count_reports",
    "export_reports",
    "export_to",
    "iter_reports",
    "json_object",
    "open_writer",
    "select_reports",
    "value_rows",
    "wide_row",
    "write_bundle",
]


def __getattr__(name: str) -> Any:
    """Import :mod:`crawler.exports.bundle` when one of its names is first asked for."""
    if name in _LAZY:
        from crawler.exports import bundle

        return getattr(bundle, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
