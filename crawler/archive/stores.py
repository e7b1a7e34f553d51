"""Open an archive's storage for a crawl or a command: its folder, or its ``s3://`` bucket.

The endpoint of an S3-compatible store comes from ``GOVREPORTS_S3_ENDPOINT_URL`` (read by
:mod:`crawler.config`); credentials from boto3's standard chain (``AWS_*`` variables).
"""

from __future__ import annotations

from pathlib import Path

from crawler.config import ArchiveTarget, archive_target, s3_endpoint_url
from storage.objects import ArchiveStorage, open_storage
from storage.s3 import is_object_url, read_object_url


def open_archive_storage(target: ArchiveTarget | str | Path | None) -> ArchiveStorage:
    """The storage ``target`` names (an ``--archive`` value; None: ``$GOVREPORTS_ARCHIVE``)."""
    if not isinstance(target, ArchiveTarget):
        target = archive_target(target)
    return open_storage(target.local_dir, target.store_url, endpoint_url=s3_endpoint_url())


def read_recorded_blob(blob_path: str) -> bytes:
    """The bytes at a document's recorded ``blob_path``: a file, or an ``s3://`` object."""
    if is_object_url(blob_path):
        return read_object_url(blob_path, endpoint_url=s3_endpoint_url())
    return Path(blob_path).read_bytes()


def settings_target(archive: str | None, store: str | None) -> ArchiveTarget:
    """The archive a crawl's settings name: ``GOVREPORTS_ARCHIVE`` (its folder) and
    ``GOVREPORTS_ARCHIVE_STORE`` (its bucket), else what ``$GOVREPORTS_ARCHIVE`` says."""
    if archive:
        return ArchiveTarget(Path(archive).resolve(), store or None)
    default = archive_target(None)
    return ArchiveTarget(default.local_dir.resolve(), store or default.store_url)
