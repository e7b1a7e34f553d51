"""A WACZ (Web Archive Collection Zipped) of the selected reports, for ReplayWeb.page and pywb.

The WARC files holding the reports' captures (responses, the revisit records of re-crawls,
conversion records), a CDXJ index of them, ``pages/pages.jsonl`` (one page per capture that
replays as a report document, at the URL its record carries, titled with the report's title) and a
``datapackage.json`` with every file's sha256, written by Webrecorder's own ``wacz`` package
(``wacz create``), so the layout is the one replay tools expect.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from crawler.errors import GovreportsError
from crawler.exports.query import DEFAULT_BATCH, ExportedReport, ExportFilters
from crawler.exports.run import Progress, export_reports
from storage.objects import ArchiveStorage, open_storage


class WaczError(GovreportsError):
    """The WACZ cannot be written; the message says what to do."""


@dataclass
class WaczResult:
    """What went into the WACZ."""

    path: Path
    reports: int
    pages: int
    warc_files: list[str] = field(default_factory=list)


#: A 304 is archived as a revisit record; replay shows the archived 200 it refers to.
NOT_MODIFIED = 304


def is_page(status: int | None) -> bool:
    """Whether a capture with this HTTP status replays as the document: a 2xx, or a 304."""
    return status is not None and (200 <= status < 300 or status == NOT_MODIFIED)


class PageCollector:
    """A writer noting each report's captures: every WARC file holding one (responses,
    revisits, conversion records), and as pages the ones that replay as the document, each
    under the URL its record carries (the final URL after redirects)."""

    def __init__(self) -> None:
        self.paths: list[Path] = []
        self.pages: dict[tuple[str, str], dict[str, Any]] = {}
        self.warc_files: set[str] = set()

    def add(self, report: ExportedReport) -> None:
        for capture in report.captures:
            if not capture["warc_file"]:
                continue
            self.warc_files.add(capture["warc_file"])
            if not is_page(capture["status"]):
                continue
            url = capture["final_url"] or capture["url"]
            ts = capture["fetched_at"].isoformat().replace("+00:00", "Z")
            record = str(capture["warc_record_id"] or "").strip("<>").removeprefix("urn:uuid:")
            self.pages.setdefault((url, ts), {
                "url": url, "ts": ts, "title": report.title,
                "id": f"report-{report.report_id}-{record or capture['sha256'][:12]}"})

    def close(self) -> None:
        """Nothing to close: pages are written once all reports are seen."""


def write_wacz(session: Session, target: Path, filters: ExportFilters | None = None, *,
               archive_dir: Path | None = None, storage: ArchiveStorage | None = None,
               progress: Progress | None = None,
               batch_size: int = DEFAULT_BATCH) -> WaczResult:
    """Write the WACZ of the selected reports to ``target`` (``.wacz``), their WARC files read
    from ``storage`` (default: the folder ``archive_dir``; a bucket's are downloaded first)."""
    from wacz.main import main as wacz_main

    if storage is None:
        if archive_dir is None:
            raise TypeError("write_wacz needs archive_dir or storage")
        storage = open_storage(archive_dir)

    if target.suffix.lower() != ".wacz":
        raise WaczError(f"{target}: a WACZ file name ends in .wacz")
    collector = PageCollector()
    count = export_reports(session, filters or ExportFilters(), [collector], progress=progress,
                           batch_size=batch_size)
    if not collector.pages:
        raise WaczError("no archived capture among the selected reports; widen the filters")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govreports-wacz-") as work:
        warcs = [_local_warc(storage, name, Path(work)) for name in sorted(collector.warc_files)]
        pages = Path(work) / "pages.jsonl"
        with pages.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps({"format": "json-pages-1.0", "id": "pages",
                                     "title": "govreports reports"}) + "\n")
            for page in collector.pages.values():
                handle.write(json.dumps(page, ensure_ascii=False) + "\n")
        with contextlib.redirect_stdout(sys.stderr):  # wacz reports its steps on stdout
            code = wacz_main(["create", "-o", str(target), "-p", str(pages), "--hash-type", "sha256",
                              "--title", "Government information disclosure annual reports (govreports)",
                              "--desc", f"{count} reports: their captures as archived by govreports",
                              *map(str, warcs)])
    if code != 0 or not target.is_file():
        raise WaczError(f"wacz could not write {target} (exit {code})")
    return WaczResult(target, count, len(collector.pages), [p.name for p in warcs])


def _local_warc(storage: ArchiveStorage, name: str, work: Path) -> Path:
    """A WARC file readable in place: the archive folder's own, else a downloaded copy."""
    path = storage.warcs.local_path(name)
    if path is not None:
        return path
    copy = work / "warc" / name
    copy.parent.mkdir(exist_ok=True)
    try:
        storage.warcs.fetch(name, copy)
    except FileNotFoundError as exc:
        raise WaczError(f"WARC file {name} is missing from {storage.url}; pass the archive "
                        "the crawl wrote with --archive") from exc
    return copy
