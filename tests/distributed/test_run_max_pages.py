"""``--max-pages`` is one budget for the whole distributed run, not one per worker."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from crawler.frontier.redis_keys import RunKeys
from storage.models import Capture
from storage.repository import ArchiveDB
from tests.crawl_helpers import GOVREPORTS
from tests.distributed.helpers import TIMEOUT, crawl_with_a_worker

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
MAX_PAGES = 100
#: Responses beyond the limit: a worker takes no request from the queue once the run's
#: responses plus the requests all workers hold make its --max-pages (before: up to
#: CONCURRENT_REQUESTS, 16, per worker were taken and fetched: 128-131 captures at 100), so
#: only a response that never went through the queue (robots.txt) could go over.
OVER = 2
MORE_PAGES = 30


def _run(pg_url: str, run_id: int) -> tuple[str, int]:
    db = ArchiveDB(pg_url, migrate=False)
    try:
        run = db.get_run(run_id)
        assert run is not None
        captures = db.session.scalar(select(func.count()).select_from(Capture)
                                     .where(Capture.run_id == run_id))
        return str(run.status), int(captures or 0)
    finally:
        db.close()


def test_two_workers_share_one_max_pages(tmp_path: Path, tree_site: tuple[str, set[str]],
                                         pg_url: str, redis_url: str, run_key: str) -> None:
    seed, fetched = tree_site  # 60 hubs of 20 pages: far more than two workers' max-pages
    archive = str(tmp_path / "archive")
    crawl_with_a_worker(seed, redis_url=redis_url, run_key=run_key, pg_url=pg_url, archive=archive,
                        extra=("--max-pages", str(MAX_PAGES)))
    server = redis.Redis.from_url(redis_url)
    keys = RunKeys(run_key)
    run_id = int(server.hget(keys.meta, "run_id") or 0)
    status, captures = _run(pg_url, run_id)
    queued = int(server.zcard(keys.queue))
    print(f"max-pages {MAX_PAGES}: {captures} captures, {len(fetched)} pages fetched besides the "
          f"home page, counter {server.get(keys.run_pages)!r}, {queued} requests left queued")
    # each worker counting its own --max-pages archived 229 (measured)
    assert MAX_PAGES <= captures <= MAX_PAGES + OVER
    assert status == "stopped"
    assert int(server.get(keys.run_pages) or 0) == MAX_PAGES
    # what was not fetched stays queued, nothing is left held: the same command continues
    assert queued > 0 and not list(server.scan_iter(match=keys.processing_pattern))
    shown = subprocess.run([*GOVREPORTS, "status", "--redis", redis_url, "--run-key", run_key, "--json"],
                           capture_output=True, text=True, check=True)
    status_json = json.loads(shown.stdout)
    assert status_json["stopped"] and status_json["phase"] == "discovery"
    assert status_json["budgets"]["max_pages"] == {"used": MAX_PAGES, "limit": MAX_PAGES}
    assert status_json["frontier"]["queued"] == queued

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    again = subprocess.run([*GOVREPORTS, "crawl", seed, "--redis", redis_url, "--run-key", run_key,
                            "--db", pg_url, "--archive", archive, "--local", "--no-parse",
                            "--timeout", "10", "--max-pages", str(MORE_PAGES)],
                           capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert int(server.hget(keys.meta, "run_id") or 0) == run_id  # the same run, continued
    status, more = _run(pg_url, run_id)
    print(f"continued with max-pages {MORE_PAGES}: {more - captures} more captures")
    assert status == "stopped"
    assert MORE_PAGES <= more - captures <= MORE_PAGES + OVER
