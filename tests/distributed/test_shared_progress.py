"""A worker's progress line shows the shared frontier's queue, not its own stats."""

from __future__ import annotations

import io
import logging
from types import SimpleNamespace

import pytest
import redis
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.extensions.progress import ProgressExtension
from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.redis_scheduler import RedisScheduler
from crawler.frontier.reliable_queue import ReliableQueue

pytestmark = pytest.mark.redis


class _Spider(Spider):
    name = "t"


def test_progress_reads_the_queue_other_workers_filled(redis_url: str, run_key: str,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    server = redis.Redis.from_url(redis_url)
    keys = RunKeys(run_key)
    other = ReliableQueue(server, _Spider(), keys.queue, processing_key=keys.processing("other:1:a"))
    for i in range(5):
        other.push(Request(f"http://x.test/{i}"))
    crawler = get_crawler(_Spider)
    scheduler = RedisScheduler(crawler, server, keys, worker_id="me:1:b", stale_after=30.0,
                               tick_seconds=0.5)
    scheduler.queue = ReliableQueue(server, _Spider(), keys.queue,
                                    processing_key=keys.processing("me:1:b"))
    crawler.engine = SimpleNamespace(scheduler=scheduler)  # type: ignore[assignment]
    progress = ProgressExtension(crawler, stream=io.StringIO(), interval=1.0, log_interval=1.0,
                                 terminal=False)
    with caplog.at_level(logging.INFO, logger="govreports.progress"):
        progress.show()
        assert scheduler.queue.pop() is not None  # this worker takes one
        progress.show()
    queued = [getattr(record, "queued", None) for record in caplog.records]
    assert queued == [5, 4]  # this worker's own stats say 0 queued
