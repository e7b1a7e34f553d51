"""Re-parse every archived report document with the current parser, fetching nothing.

Earlier results stay in ``parse_results`` under their own parser version. A blob in an
``s3://`` archive (its recorded ``blob_path`` is the object's URL) is downloaded to a
temporary file for the parser.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.archive.stores import read_recorded_blob
from crawler.parsing import PARSER_VERSION, parse_file
from storage.read.documents import report_document_files
from storage.repository import ArchiveDB
from storage.s3 import is_object_url


@contextmanager
def blob_file(blob_path: str) -> Iterator[Path]:
    """The recorded blob as a local file: itself, or a temporary copy of an ``s3://`` object."""
    if not is_object_url(blob_path):
        yield Path(blob_path)
        return
    with tempfile.TemporaryDirectory(prefix="govreports-reparse-") as work:
        path = Path(work) / blob_path.rsplit("/", 1)[-1]
        path.write_bytes(read_recorded_blob(blob_path))
        yield path


def reparse_archive(db: ArchiveDB, *, timeout: float = 60.0,
                    progress: Callable[[int, int], None] | None = None) -> Counter[str]:
    """Parse each report document's stored blob again; return the count of outcomes by status."""
    documents = report_document_files(db.session)
    statuses: Counter[str] = Counter()
    for done, doc in enumerate(documents, 1):
        metadata = {"title": doc.title,
                    "published_on": doc.published_on.isoformat() if doc.published_on else None}
        with blob_file(doc.blob_path) as path:
            outcome = parse_file(path, timeout=timeout, metadata=metadata)
        db.add_parse_result(sha256=doc.sha256, parser_version=PARSER_VERSION, status=outcome.status,
                            message=outcome.message, record=outcome.record)
        statuses[outcome.status] += 1
        if progress is not None:
            progress(done, len(documents))
    return statuses
