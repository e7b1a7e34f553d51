"""Re-parse every archived report document with the current parser, fetching nothing.

Earlier results stay in ``parse_results`` under their own parser version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from crawler.parsing import PARSER_VERSION, parse_file
from storage.read.documents import report_document_files
from storage.repository import ArchiveDB


def reparse_archive(db: ArchiveDB, *, timeout: float = 60.0,
                    progress: Callable[[int, int], None] | None = None) -> Counter[str]:
    """Parse each report document's stored blob again; return the count of outcomes by status."""
    documents = report_document_files(db.session)
    statuses: Counter[str] = Counter()
    for done, doc in enumerate(documents, 1):
        metadata = {"title": doc.title,
                    "published_on": doc.published_on.isoformat() if doc.published_on else None}
        outcome = parse_file(Path(doc.blob_path), timeout=timeout, metadata=metadata)
        db.add_parse_result(sha256=doc.sha256, parser_version=PARSER_VERSION, status=outcome.status,
                            message=outcome.message, record=outcome.record)
        statuses[outcome.status] += 1
        if progress is not None:
            progress(done, len(documents))
    return statuses
