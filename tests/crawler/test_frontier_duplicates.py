"""``DatabaseScheduler.already_queued``: the spider's early duplicate test agrees with the
scheduler's own drop in ``enqueue_request``."""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.frontier.scheduler import META_FRONTIER_KEY, DatabaseScheduler


def _scheduler() -> DatabaseScheduler:
    crawler: Any = get_crawler(Spider, {"REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7"})
    crawler._apply_settings()
    return DatabaseScheduler(crawler, owner=None, flush_seconds=1.0)  # type: ignore[arg-type]


def test_a_request_queued_before_is_known_and_dropped() -> None:
    scheduler = _scheduler()
    url = "http://127.0.0.1:8000/zwgk/index.html"
    assert not scheduler.already_queued(Request(url))
    scheduler.seen.add(scheduler._fingerprint(Request(url)))
    again = Request(url, meta={"link_text": "another link to it"}, priority=7)
    assert scheduler.already_queued(again)
    assert scheduler.enqueue_request(again) is False  # what the scheduler itself would do
    assert not scheduler.already_queued(Request(url + "?page=2"))


def test_requests_the_scheduler_takes_again_are_not_known() -> None:
    scheduler = _scheduler()
    url = "http://127.0.0.1:8000/a.html"
    scheduler.seen.add(scheduler._fingerprint(Request(url)))
    assert not scheduler.already_queued(Request(url, dont_filter=True))
    # a retry or redirect of a frontier row goes back to its row
    assert not scheduler.already_queued(Request(url, meta={META_FRONTIER_KEY: "row"}))
