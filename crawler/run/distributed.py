"""A distributed run's shared record in Redis: which run, its options, its phase, who ends it.

``govreports crawl --redis URL`` records the run in the archive database and in
``P:meta`` (the run id, the seeds and the options every worker must share); ``govreports
worker`` reads them from there. The run goes through phases, each moved on by one worker
holding ``P:phase_lock`` once the frontier is drained: ``discovery`` (links) → ``search``
(each site's own search) → ``revalidate`` (known reports no link led to) → ``done``. The
worker that wins ``SET NX P:finished`` finishes the run (change detection, alerts) exactly
once; the others stop. A run stopped at its ``--max-pages`` (``P:stopped``, recorded by one
worker) is continued by the same ``govreports crawl`` command, with a new page budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis import Redis

from crawler.errors import GovreportsError
from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.workers import text

PHASES = ("discovery", "search", "revalidate", "done")


class DistributedError(GovreportsError):
    """The distributed run's Redis cannot be used (unreachable, or a run is being started)."""


class NoDistributedRun(DistributedError):
    """A worker was started for a run key that no ``govreports crawl --redis`` started."""


@dataclass(frozen=True)
class RunRecord:
    """The run a worker joins: its id and the options shared by every worker."""

    run_id: int
    options: dict[str, Any]
    joined: bool = False
    #: The run had stopped at its ``--max-pages`` and is continued with a new page budget.
    continued: bool = False


class DistributedRun:
    """Read and move one run's shared record (see module docstring)."""

    def __init__(self, server: Redis, keys: RunKeys) -> None:
        self.server = server
        self.keys = keys

    @classmethod
    def connect(cls, url: str, run_key: str) -> DistributedRun:
        """Connect to Redis at ``url``; fail with a clear message when it does not answer."""
        server = Redis.from_url(url, socket_connect_timeout=5)
        try:
            server.ping()
        except Exception as exc:  # noqa: BLE001 - any connection error means the same here
            raise DistributedError(f"cannot reach Redis at {url!r}: {exc}") from exc
        return cls(server, RunKeys(run_key))

    # -- starting and joining ----------------------------------------------------------------
    def start_or_join(self, options: dict[str, Any], start: Callable[[], int]) -> RunRecord:
        """Join the run of this key if it has not ended, else ``start()`` a new one and record it
        with ``options`` (the keys of an ended run are cleared first)."""
        lock = self.keys.prefix + "starting"
        if not self.server.set(lock, "1", nx=True, ex=60):
            raise DistributedError("another `govreports crawl` is starting this run key; try again")
        try:
            record = self.record()
            if record is not None and self.phase() != "done":
                if self.server.exists(self.keys.stopped):
                    return self._continue_stopped(record, options.get("max_pages"))
                return RunRecord(record.run_id, record.options, joined=True)
            self.clear()
            run_id = start()
            self.server.hset(self.keys.meta, mapping={"run_id": run_id, "options": json.dumps(options)})
            self.server.set(self.keys.phase, "discovery")
            return RunRecord(run_id, options)
        finally:
            self.server.delete(lock)

    def _continue_stopped(self, record: RunRecord, max_pages: int | None) -> RunRecord:
        """A run stopped at its ``--max-pages``, joined again by ``govreports crawl``: the stop
        is forgotten and the run gets a new page budget (``max_pages``: the command's)."""
        options = dict(record.options, max_pages=max_pages)
        pipe = self.server.pipeline()
        pipe.delete(self.keys.stopped, self.keys.run_pages)
        pipe.hset(self.keys.meta, "options", json.dumps(options))
        pipe.execute()
        return RunRecord(record.run_id, options, joined=True, continued=True)

    def record(self) -> RunRecord | None:
        """The recorded run, or None."""
        meta = self.server.hgetall(self.keys.meta)
        if not meta:
            return None
        return RunRecord(int(meta[b"run_id"]), json.loads(meta[b"options"]))

    def join(self) -> RunRecord:
        """The run a worker joins; :class:`NoDistributedRun` when there is none to join."""
        record = self.record()
        if record is None or self.phase() == "done":
            raise NoDistributedRun(
                f"no running distributed crawl under the run key {self.keys.run_key!r}: start one "
                "with `govreports crawl SEEDS --redis URL --db URL --archive PATH` (same --run-key)")
        return RunRecord(record.run_id, record.options, joined=True)

    def clear(self) -> int:
        """Delete every key of this run key; return how many."""
        names = list(self.server.scan_iter(match=self.keys.prefix + "*", count=1000))
        names = [n for n in names if n != (self.keys.prefix + "starting").encode()]
        return int(self.server.delete(*names)) if names else 0

    # -- phases and the end ------------------------------------------------------------------
    def phase(self) -> str:
        value = self.server.get(self.keys.phase)
        return text(value) if value else "done"

    def set_phase(self, phase: str) -> None:
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}")
        self.server.set(self.keys.phase, phase)

    def take_phase_lock(self, worker: str, lease_seconds: float) -> bool:
        """Become the one worker moving the run on (for ``lease_seconds`` at most)."""
        return bool(self.server.set(self.keys.phase_lock, worker, nx=True, px=int(lease_seconds * 1000)))

    def release_phase_lock(self, worker: str) -> None:
        if self.server.get(self.keys.phase_lock) == worker.encode():
            self.server.delete(self.keys.phase_lock)

    def claim_stop(self, worker: str) -> bool:
        """True for exactly one caller per stop at ``--max-pages``: the worker that records the
        run as stopped (until ``govreports crawl`` continues it)."""
        return bool(self.server.set(self.keys.stopped, worker, nx=True))

    def claim_finish(self, worker: str) -> bool:
        """True for exactly one caller over the run's life: the worker that finishes it."""
        return bool(self.server.set(self.keys.finished, worker, nx=True))
