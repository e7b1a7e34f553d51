"""The statements written once per response, built once per dialect (SQLite, PostgreSQL).

Building an ``INSERT … ON CONFLICT`` costs more than running it (its ``excluded`` alias copies
every column), so each is built on first use and executed with a parameter dict: SQLAlchemy's
compiled cache then finds it every time.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, case, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import Document, FrontierEntry, UrlState

DOCUMENTS: Table = Document.__table__  # type: ignore[assignment]
URL_STATES: Table = UrlState.__table__  # type: ignore[assignment]
FRONTIER: Table = FrontierEntry.__table__  # type: ignore[assignment]


def _insert(dialect: str, table: Table) -> Any:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@cache
def document_insert(dialect: str) -> Any:
    """``INSERT INTO documents … ON CONFLICT (sha256) DO NOTHING RETURNING sha256``: a row
    comes back only when the document is new."""
    return (_insert(dialect, DOCUMENTS)
            .on_conflict_do_nothing(index_elements=[DOCUMENTS.c.sha256])
            .returning(DOCUMENTS.c.sha256))


@cache
def url_state_upsert(dialect: str) -> Any:
    """Insert a URL's state, or update the one there: ``last_changed_at`` moves only when the
    payload or status changed, the first-seen run stays, and a missing sha256 or payload
    capture keeps the old one."""
    statement = _insert(dialect, URL_STATES)
    new, old = statement.excluded, URL_STATES.c
    changed = or_(new.sha256.is_distinct_from(old.sha256), new.status.is_distinct_from(old.status))
    return statement.on_conflict_do_update(
        index_elements=[old.url_key],
        set_={"kind": new.kind, "status": new.status, "etag": new.etag,
              "last_modified": new.last_modified,
              "sha256": func.coalesce(new.sha256, old.sha256),
              "capture_id": func.coalesce(new.capture_id, old.capture_id),
              "last_seen_run_id": new.last_seen_run_id,
              "last_changed_at": case((changed, new.last_changed_at), else_=old.last_changed_at)})


@cache
def frontier_answered() -> Any:
    """Mark a frontier row answered (parameters ``run_id``, ``fingerprint``) unless done."""
    return (update(FRONTIER)
            .where(FRONTIER.c.run_id == bindparam("p_run_id"),
                   FRONTIER.c.fingerprint == bindparam("p_fingerprint"),
                   FRONTIER.c.state != "done")
            .values(state="answered"))
