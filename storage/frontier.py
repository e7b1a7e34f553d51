"""A run's frontier in the archive database: every request it must answer, and how far it got.

One row per (run, request fingerprint). States: ``queued`` → ``in_flight`` (handed to the
downloader) → ``answered`` (its capture is committed, in the same transaction) → ``done`` (its
callback's requests are in the frontier and its items are recorded). After a crash, everything
not ``done`` is queued again (:meth:`FrontierStore.requeue_unfinished`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.capture_sql import frontier_answered
from storage.models import FrontierEntry


@dataclass(frozen=True)
class FrontierRow:
    """One request to write: its fingerprint, priority, URL and serialised form."""

    fingerprint: str
    priority: int
    url: str
    request: bytes
    state: str = "queued"


@dataclass(frozen=True)
class StoredRequest:
    """A frontier row read back."""

    id: int
    fingerprint: str
    state: str
    priority: int
    url: str
    request: bytes


class FrontierStore:
    """Reads and writes the ``frontier`` table through a caller's SQLAlchemy session."""

    def __init__(self, session: Session, run_id: int) -> None:
        self.session = session
        self.run_id = run_id

    def _in_run(self) -> object:
        return FrontierEntry.run_id == self.run_id

    def requeue_unfinished(self) -> int:
        """Queue again every request a dead or stopped process had not finished; return how many."""
        result = self.session.execute(
            update(FrontierEntry)
            .where(FrontierEntry.run_id == self.run_id, FrontierEntry.state.in_(("in_flight", "answered")))
            .values(state="queued")
        )
        self._commit()
        return int(getattr(result, "rowcount", 0) or 0)

    def rows(self) -> Iterator[StoredRequest]:
        """Every row of the run, oldest first (streamed)."""
        query = (select(FrontierEntry.id, FrontierEntry.fingerprint, FrontierEntry.state,
                        FrontierEntry.priority, FrontierEntry.url, FrontierEntry.request)
                 .where(FrontierEntry.run_id == self.run_id).order_by(FrontierEntry.id))
        for row in self.session.execute(query.execution_options(yield_per=1000)):
            yield StoredRequest(*row)

    def states(self) -> Iterator[tuple[str, str, int]]:
        """(fingerprint, state, priority) of every row of the run, oldest first (streamed),
        without the serialised requests."""
        query = (select(FrontierEntry.fingerprint, FrontierEntry.state, FrontierEntry.priority)
                 .where(FrontierEntry.run_id == self.run_id).order_by(FrontierEntry.id))
        for fingerprint, state, priority in self.session.execute(query.execution_options(yield_per=1000)):
            yield str(fingerprint), str(state), int(priority)

    def requests(self, fingerprints: Iterable[str]) -> dict[str, bytes]:
        """The serialised request of each of ``fingerprints`` that has a row in the run."""
        found: dict[str, bytes] = {}
        for chunk in _chunks(list(fingerprints)):
            for fingerprint, data in self.session.execute(
                    select(FrontierEntry.fingerprint, FrontierEntry.request)
                    .where(FrontierEntry.run_id == self.run_id, FrontierEntry.fingerprint.in_(chunk))):
                found[str(fingerprint)] = bytes(data)
        return found

    def write(self, *, added: Iterable[FrontierRow], replaced: Iterable[FrontierRow],
              in_flight: Iterable[str], done: Iterable[str]) -> None:
        """One transaction: new rows, rows whose request changed (retries, redirects), and
        fingerprints handed out or finished. New rows are written before states change, so a
        row is never ``done`` while a request it led to is missing."""
        self._upsert(list(added), replace=False)
        self._upsert(list(replaced), replace=True)
        in_flight = list(in_flight)
        for chunk in _chunks(in_flight):
            self.session.execute(
                update(FrontierEntry)
                .where(FrontierEntry.run_id == self.run_id, FrontierEntry.state == "queued",
                       FrontierEntry.fingerprint.in_(chunk))
                .values(state="in_flight"))
        for chunk in _chunks(list(done)):
            self.session.execute(
                update(FrontierEntry)
                .where(FrontierEntry.run_id == self.run_id, FrontierEntry.fingerprint.in_(chunk))
                .values(state="done"))
        self._commit()

    def _upsert(self, rows: list[FrontierRow], *, replace: bool) -> None:
        """One multi-row ``INSERT … ON CONFLICT (run_id, fingerprint)``: rows already there
        (written by an earlier flush or process) are kept, or with ``replace`` take the new
        request, priority and state (a retry or redirect of the row)."""
        if not rows:
            return
        bind = self.session.get_bind()
        dialect: Any = postgresql if bind.dialect.name == "postgresql" else sqlite
        for start in range(0, len(rows), _INSERT_BATCH):
            values = [{"run_id": self.run_id, "fingerprint": row.fingerprint, "state": row.state,
                       "priority": row.priority, "url": row.url, "request": row.request}
                      for row in rows[start:start + _INSERT_BATCH]]
            statement = dialect.insert(FrontierEntry)
            keys = ["run_id", "fingerprint"]
            if replace:
                excluded = statement.excluded
                statement = statement.on_conflict_do_update(
                    index_elements=keys,
                    set_={"state": excluded.state, "priority": excluded.priority,
                          "url": excluded.url, "request": excluded.request})
            else:
                statement = statement.on_conflict_do_nothing(index_elements=keys)
            self.session.execute(statement, values)

    def stage_answered(self, fingerprint: str) -> None:
        """Mark a request answered, in the caller's open transaction (its capture's commit)."""
        self.session.connection().execute(
            frontier_answered(), {"p_run_id": self.run_id, "p_fingerprint": fingerprint})

    def counts(self) -> dict[str, int]:
        """Rows of the run per state."""
        return {str(state): int(count) for state, count in self.session.execute(
            select(FrontierEntry.state, func.count())
            .where(FrontierEntry.run_id == self.run_id).group_by(FrontierEntry.state))}

    def unfinished(self) -> int:
        """Rows of the run not ``done``."""
        return int(self.session.scalar(
            select(func.count()).where(FrontierEntry.run_id == self.run_id,
                                       FrontierEntry.state != "done")) or 0)

    def _commit(self) -> None:
        try:
            self.session.commit()
        except BaseException:
            self.session.rollback()
            raise


#: Rows per ``INSERT`` statement (executed as one executemany).
_INSERT_BATCH = 1000


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
