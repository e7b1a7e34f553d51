"""What every ``govreports`` command that opens the archive shares: help text and the opener."""

from __future__ import annotations

from crawler.config import default_db_url
from crawler.errors import ArchiveUnavailable
from storage.repository import ArchiveDB

DB_HELP = "Database URL (default: $GOVREPORTS_DB or sqlite:///./govreports-data/govreports.db)."


def open_archive_db(url: str | None) -> ArchiveDB:
    """Open (and migrate) the archive database, or exit with a message saying what to check."""
    url = url or default_db_url()
    try:
        return ArchiveDB(url, migrate=True)
    except Exception as exc:  # noqa: BLE001 - any driver error means the same to the user
        raise ArchiveUnavailable(f"cannot open the database {url!r}: {exc}") from exc
