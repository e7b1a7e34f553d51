"""Per parse result: its template and how many checks it has and fails, cached in memory.

Reading these from the JSON records in SQL for every list request would parse thousands of
records each time. Parse results grow by new rows; the cache loads the rows above its
watermark (count and highest id, both read from indexes), computed by the database's own JSON
functions, so list queries filter on plain ids. A record replaced in place (a re-parse under
the same parser version) shows after :data:`MAX_AGE` seconds, when the cache reloads fully.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, func, literal_column, select
from sqlalchemy.orm import Session

from storage.models import ParseResult

#: Seconds after which the cache reloads every summary (picks up records replaced in place).
MAX_AGE = 600.0


@dataclass(frozen=True)
class ParseSummary:
    """What the report list shows of a parse result."""

    template: str | None
    checks: int
    failed: int


def failed_expr(dialect: str) -> ColumnElement[int]:
    """Number of checks with ``ok: false`` in ``parse_results.record``."""
    if dialect == "postgresql":
        sql = ("(SELECT count(*) FROM json_array_elements(CASE WHEN json_typeof("
               "parse_results.record -> 'checks') = 'array' THEN parse_results.record -> 'checks'"
               " END) AS c WHERE (c ->> 'ok') = 'false')")
    else:
        sql = ("(SELECT count(*) FROM json_each(parse_results.record, '$.checks') AS c"
               " WHERE json_extract(c.value, '$.ok') = 0)")
    return literal_column(sql, Integer)


def checks_expr(dialect: str) -> ColumnElement[int]:
    """Number of checks in ``parse_results.record``."""
    if dialect == "postgresql":
        sql = ("CASE WHEN json_typeof(parse_results.record -> 'checks') = 'array' "
               "THEN json_array_length(parse_results.record -> 'checks') END")
    else:
        sql = "json_array_length(parse_results.record, '$.checks')"
    return literal_column(sql, Integer)


class SummaryCache:
    """Parse summaries by parse result id, refreshed incrementally (thread-safe)."""

    def __init__(self, dialect: str, max_age: float = MAX_AGE) -> None:
        self.dialect = dialect
        self.max_age = max_age
        self._by_id: dict[int, ParseSummary] = {}
        self._mark: tuple[int, int] = (-1, -1)  # count, highest id
        self._loaded_at = -float("inf")
        self._lock = threading.Lock()

    def refresh(self, session: Session) -> None:
        """Load parse results added since the last refresh (all of them when stale)."""
        count, max_id = session.execute(select(
            func.count(), func.coalesce(func.max(ParseResult.id), 0))).one()
        mark = (int(count), int(max_id))
        now = time.monotonic()
        stale = now - self._loaded_at > self.max_age
        with self._lock:
            if mark == self._mark and not stale:
                return
            base = select(ParseResult.id, ParseResult.record["template"].as_string(),
                          checks_expr(self.dialect), failed_expr(self.dialect))
            full, by_id = stale, dict(self._by_id)
            if not full:
                _load(session, by_id, base.where(ParseResult.id > self._mark[1]))
                full = len(by_id) != mark[0]  # rows committed out of id order, or deleted
            if full:
                by_id = {}
                _load(session, by_id, base)
                self._loaded_at = now
            self._by_id, self._mark = by_id, mark  # readers see the old or the new dict

    def get(self, parse_id: int | None) -> ParseSummary | None:
        """The summary of a parse result (None for no parse)."""
        return self._by_id.get(parse_id) if parse_id is not None else None

    def ids(self, *, template: str | None = None, failed: bool = False) -> list[int]:
        """Parse result ids with ``template`` and (when ``failed``) at least one failed check."""
        return sorted(pid for pid, s in self._by_id.items()
                      if (template is None or s.template == template)
                      and (not failed or s.failed > 0))


def _load(session: Session, into: dict[int, ParseSummary], stmt: Select[Any]) -> None:
    for pid, template, checks, failed in session.execute(stmt):
        into[pid] = ParseSummary(template, int(checks or 0), int(failed or 0))
