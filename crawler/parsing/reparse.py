"""Re-parse every archived report document with the current parser, fetching nothing.

Earlier results stay in ``parse_results`` under their own parser version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from crawler.parsing import PARSER_VERSION, parse_file
from storage.models import Document, Report, ReportDocument
from storage.repository import ArchiveDB


def reparse_archive(db: ArchiveDB, *, timeout: float = 60.0,
                    progress: Callable[[int, int], None] | None = None) -> Counter[str]:
    """Parse each report document's stored blob again; return the count of outcomes by status."""
    rows = db.session.execute(
        select(ReportDocument.sha256, Document.blob_path, Report.title, Report.published_on)
        .join(Document, Document.sha256 == ReportDocument.sha256)
        .join(Report, Report.id == ReportDocument.report_id)
    ).all()
    documents = {sha: (blob, title, published) for sha, blob, title, published in rows}
    statuses: Counter[str] = Counter()
    for done, (sha256, (blob_path, title, published_on)) in enumerate(sorted(documents.items()), 1):
        metadata = {"title": title, "published_on": published_on.isoformat() if published_on else None}
        outcome = parse_file(Path(blob_path), timeout=timeout, metadata=metadata)
        db.add_parse_result(sha256=sha256, parser_version=PARSER_VERSION, status=outcome.status,
                            message=outcome.message, record=outcome.record)
        statuses[outcome.status] += 1
        if progress is not None:
            progress(done, len(documents))
    return statuses
