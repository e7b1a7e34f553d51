"""Starting or joining a distributed run from Python (``govreports crawl/worker --redis``).

``govreports crawl`` records the run (archive database and Redis) with the options every
worker must share (seeds, scope, hosts, TLS, budgets, Scrapy settings); ``govreports worker``
takes them from Redis, so only the places (``--redis``, ``--db``, ``--archive``) are given to
a worker. A worker that does not finish the run waits for the finisher before it reports.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from crawler.run.distributed import DistributedError, DistributedRun, RunRecord
from crawler.version import software_version
from storage.repository import ArchiveDB

if TYPE_CHECKING:
    from crawler.run.runner import CrawlOptions

#: CrawlOptions fields every worker of a run shares (taken from the run's record in Redis).
SHARED_FIELDS = ("seeds", "max_pages", "max_pages_per_host", "insecure_hosts", "ca_file", "timeout", "parse",
                 "settings", "baseline", "scope", "allow_hosts", "resolve")


def shared_options(options: CrawlOptions) -> dict[str, Any]:
    """The options recorded with the run for its workers (JSON values)."""
    shared = {name: getattr(options, name) for name in SHARED_FIELDS}
    shared["today"] = options.today.isoformat() if options.today else None
    return shared


def apply_shared(options: CrawlOptions, shared: dict[str, Any]) -> None:
    """Give a worker's options the run's shared ones."""
    from datetime import date

    for name in SHARED_FIELDS:
        if name in shared:
            setattr(options, name, shared[name])
    if shared.get("today"):
        options.today = date.fromisoformat(shared["today"])


def prepare(options: CrawlOptions, *, worker: bool, recorded: dict[str, Any]) -> RunRecord:
    """Start or join the run (``govreports crawl``) or join it (``govreports worker``)."""
    assert options.redis_url
    if options.db_url.startswith("sqlite"):
        raise DistributedError("a distributed crawl needs a database every worker can reach: "
                               "--db postgresql+psycopg://user@host/dbname (not SQLite)")
    run = DistributedRun.connect(options.redis_url, options.run_key)
    if worker:
        record = run.join()
        apply_shared(options, record.options)
        return record

    def start() -> int:
        from crawler.run.opening import seed_key

        db = ArchiveDB(options.db_url, migrate=False)
        try:
            channels = options.alert_channels
            return db.start_run(seeds=options.seeds, software_version=software_version(),
                                settings=recorded | {"alert_channels": channels,
                                                     "distributed": {"run_key": options.run_key}},
                                schedule_id=options.schedule_id, seed_key=seed_key(options.seeds))
        finally:
            db.close()

    record = run.start_or_join(shared_options(options), start)
    if record.continued:  # stopped at --max-pages before: running again
        db = ArchiveDB(options.db_url, migrate=False)
        try:
            db.mark_run(record.run_id, "running")
        finally:
            db.close()
    if record.joined:
        apply_shared(options, record.options)
    return record


def wait_for_run_end(db_url: str, run_id: int, *, timeout: float, poll: float = 0.5) -> str:
    """The run's status once it is no longer ``running`` (or ``running`` after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        db = ArchiveDB(db_url, migrate=False)
        try:
            run = db.get_run(run_id)
            status = run.status if run is not None else "failed"
        finally:
            db.close()
        if status != "running" or time.monotonic() >= deadline:
            return str(status)
        time.sleep(poll)
