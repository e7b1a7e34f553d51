"""What every ``govreports`` command that opens the archive shares: help text and the opener."""

from __future__ import annotations

from crawler.config import default_db_url
from crawler.errors import ArchiveUnavailable
from storage.db import require_existing
from storage.repository import ArchiveDB

DB_HELP = "Database URL (default: $GOVREPORTS_DB or sqlite:///./govreports-data/govreports.db)."


def open_archive_db(url: str | None, *, must_exist: bool = True) -> ArchiveDB:
    """Open (and migrate) the archive database, or exit with a message saying what to check.

    ``must_exist``: refuse a SQLite file that is not there instead of creating an empty
    archive (what every command that reads the archive wants; a mistyped path is an error).
    """
    url = url or default_db_url()
    if must_exist:
        require_existing(url)  # raises DatabaseMissing, which the CLI turns into one sentence
    try:
        return ArchiveDB(url, migrate=True)
    except Exception as exc:  # noqa: BLE001 - any driver error means the same to the user
        raise ArchiveUnavailable(f"cannot open the database {url!r}: {exc}") from exc
