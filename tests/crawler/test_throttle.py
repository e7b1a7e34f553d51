"""HostClock: Crawl-delay spacing, Retry-After pauses, backing off a failing host."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.fetch.throttle import HostClock, retry_after_seconds


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_retry_after_forms() -> None:
    now = datetime(2026, 12, 6, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(b" 5 ") == 5.0
    assert retry_after_seconds("Sun, 06 Dec 2026 08:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Sun, 06 Dec 2026 07:59:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("") is None


def test_crawl_delay_spaces_requests_to_one_host_only() -> None:
    t = FakeTime()
    clock = HostClock(clock=t)
    clock.set_crawl_delay("a.gov.cn", 2.0)
    assert [clock.reserve("a.gov.cn") for _ in range(3)] == [0.0, 2.0, 4.0]
    assert clock.reserve("b.gov.cn") == 0.0
    t.now += 10
    assert clock.reserve("a.gov.cn") == 0.0
    assert clock.throttled()["a.gov.cn"]["waited_s"] == 6.0
    assert "b.gov.cn" not in clock.throttled()


def test_retry_after_pauses_the_host_capped() -> None:
    t = FakeTime()
    clock = HostClock(clock=t, max_wait=30.0)
    assert clock.answered("a.gov.cn", 429, retry_after=5.0) == 5.0
    assert clock.reserve("a.gov.cn") == pytest.approx(5.0)
    assert clock.answered("a.gov.cn", 503, retry_after=3600.0) == 30.0
    assert clock.answered("a.gov.cn", 200, retry_after=99.0) == 0.0  # only 429/503
    figures = clock.throttled()["a.gov.cn"]
    assert (figures["retry_after"], figures["retry_after_s"]) == (2, 35.0)


def test_a_failing_host_backs_off_and_recovers() -> None:
    t = FakeTime()
    clock = HostClock(clock=t, backoff_after=3, backoff_base=1.0, backoff_max=4.0)
    assert [clock.answered("a.gov.cn", s) for s in (500, None)] == [0.0, 0.0]
    assert clock.answered("a.gov.cn", 502) == 1.0
    assert clock.answered("a.gov.cn", 504) == 2.0
    assert clock.answered("a.gov.cn", None) == 4.0
    assert clock.answered("a.gov.cn", 503) == 4.0  # capped
    assert clock.answered("a.gov.cn", 200) == 0.0
    assert clock.answered("a.gov.cn", 500) == 0.0  # the count starts again
    assert clock.throttled()["a.gov.cn"]["backoffs"] == 4
