"""Run one distributed crawl as two processes: ``govreports crawl --redis`` and a ``worker``."""

from __future__ import annotations

import os
import subprocess
import time

import redis

from crawler.frontier.redis_keys import RunKeys
from tests.crawl_helpers import GOVREPORTS

TIMEOUT = 180


def crawl_with_a_worker(seed: str, *, redis_url: str, run_key: str, pg_url: str, archive: str,
                        extra: tuple[str, ...] = ()) -> None:
    """Start the crawl, start a worker once the run is recorded, wait for both to end well
    (each within ``TIMEOUT`` seconds); kill whatever is still running on the way out."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    crawl = subprocess.Popen([*GOVREPORTS, "crawl", seed, "--redis", redis_url, "--run-key", run_key,
                              "--db", pg_url, "--archive", archive, "--local", "--no-parse",
                              *extra, "--timeout", "10"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    worker = None
    try:
        server = redis.Redis.from_url(redis_url)
        deadline = time.monotonic() + 60
        while not server.exists(RunKeys(run_key).meta):  # the worker joins a recorded run
            assert time.monotonic() < deadline and crawl.poll() is None, "the crawl never started"
            time.sleep(0.1)
        worker = subprocess.Popen([*GOVREPORTS, "worker", "--redis", redis_url, "--run-key", run_key,
                                   "--db", pg_url, "--archive", archive],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        out, _ = crawl.communicate(timeout=TIMEOUT)
        assert crawl.returncode == 0, out.decode()[-3000:]
        out, _ = worker.communicate(timeout=TIMEOUT)
        assert worker.returncode == 0, out.decode()[-3000:]
    finally:
        for process in (crawl, worker):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
