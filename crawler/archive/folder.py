"""The archive folder's layout, checked before a crawl starts so a bad folder fails in one sentence."""

from __future__ import annotations

import tempfile
from pathlib import Path

from crawler.errors import GovreportsError

#: Sub-folders a crawl writes into: payloads, WARC files, run logs, resumable job state.
SUBFOLDERS = ("blobs", "warc", "logs", "jobs")


class ArchiveFolderError(GovreportsError):
    """The archive folder cannot be used; the message says which path and what to do."""


def prepare_archive_folder(archive_dir: Path) -> Path:
    """Create ``archive_dir`` and its sub-folders and prove each is writable; return it resolved.

    Raises :class:`ArchiveFolderError` naming the first path that cannot be created or written.
    """
    root = Path(archive_dir).expanduser().resolve()
    for folder in (root, *(root / name for name in SUBFOLDERS)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
                pass
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ArchiveFolderError(
                f"cannot write to the archive folder {folder} ({reason}): pass --archive with a "
                "folder you can write to, or fix its permissions"
            ) from exc
    return root
