"""When to talk to a host again: Retry-After, robots.txt Crawl-delay, backing off a failing host.

:class:`HostClock` keeps, per host, the earliest time the next request may go and what held
it back; the politeness middleware asks it before each request and tells it each answer.
Plain code over a clock, so tests drive it without a crawl.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: Statuses whose Retry-After header is honoured.
RETRY_AFTER_STATUSES = (429, 503)
#: Statuses (and failed fetches) that count as a host failing.
FAILING_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 524})


def retry_after_seconds(value: str | bytes | None, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date); None if absent
    or unreadable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class HostThrottle:
    """What slowed one host down during a crawl."""

    crawl_delay: float = 0.0
    retry_after: int = 0
    retry_after_seconds: float = 0.0
    backoffs: int = 0
    waited: float = 0.0
    failures_in_a_row: int = 0
    next_at: float = 0.0
    #: When the last request was let go (:meth:`HostClock.release`).
    released_at: float | None = None
    #: No request before this (a Retry-After or a back-off pause).
    paused_until: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        """The figures for the run summary."""
        return {"waited_s": round(self.waited, 2), "crawl_delay_s": self.crawl_delay,
                "retry_after": self.retry_after, "retry_after_s": round(self.retry_after_seconds, 2),
                "backoffs": self.backoffs}


@dataclass
class HostClock:
    """Per-host pacing: Crawl-delay between requests, pauses on Retry-After and on failures.

    ``max_wait`` caps any single pause (a Retry-After of a day is not honoured literally);
    a host failing ``backoff_after`` times in a row pauses ``backoff_base * 2**k`` seconds.
    """

    max_wait: float = 120.0
    backoff_after: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    clock: Callable[[], float] = time.monotonic
    hosts: dict[str, HostThrottle] = field(default_factory=dict)

    def host(self, host: str) -> HostThrottle:
        """The record of ``host`` (created on first use)."""
        return self.hosts.setdefault(host, HostThrottle())

    def reserve(self, host: str) -> float:
        """Seconds the next request to ``host`` must wait; books its slot (Crawl-delay apart)."""
        state = self.host(host)
        now = self.clock()
        start = max(now, state.next_at)
        state.next_at = start + state.crawl_delay
        wait = start - now
        state.waited += wait
        return wait

    def release(self, host: str) -> float:
        """Let a request whose slot has come go now (0), or the seconds it must still wait.

        A slot is booked by :meth:`reserve` ahead of time, but the timer that wakes its request
        may fire late (an event loop busy for a moment fires every timer due meanwhile at once),
        and a pause may have come since: the request goes only when the host's last request
        went ``crawl_delay`` ago and no pause holds."""
        state = self.host(host)
        now = self.clock()
        due = state.paused_until
        if state.released_at is not None:
            due = max(due, state.released_at + state.crawl_delay)
        if due > now:
            state.waited += due - now
            return due - now
        state.released_at = now
        return 0.0

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        """Honour robots.txt ``Crawl-delay`` for ``host`` (capped at ``max_wait``)."""
        self.host(host).crawl_delay = min(max(0.0, seconds), self.max_wait)

    def pause(self, host: str, seconds: float) -> float:
        """No request to ``host`` for ``seconds`` (capped); the pause applied."""
        seconds = min(max(0.0, seconds), self.max_wait)
        state = self.host(host)
        state.next_at = max(state.next_at, self.clock() + seconds)
        state.paused_until = max(state.paused_until, self.clock() + seconds)
        return seconds

    def answered(self, host: str, status: int | None, retry_after: float | None = None) -> float:
        """Learn from one answer (None: the fetch failed); the pause it caused (0 for none)."""
        state = self.host(host)
        paused = 0.0
        if status in RETRY_AFTER_STATUSES and retry_after is not None:
            paused = self.pause(host, retry_after)
            state.retry_after += 1
            state.retry_after_seconds += paused
        if status is None or status in FAILING_STATUSES:
            state.failures_in_a_row += 1
            over = state.failures_in_a_row - self.backoff_after
            if over >= 0:
                backoff = min(self.backoff_max, self.backoff_base * 2 ** over)
                if backoff > paused:
                    paused = self.pause(host, backoff)
                    state.backoffs += 1
        else:
            state.failures_in_a_row = 0
        return paused

    def throttled(self) -> dict[str, dict[str, float | int]]:
        """Hosts that were slowed down at all, with by how much."""
        return {host: state.as_dict() for host, state in sorted(self.hosts.items())
                if state.waited > 0 or state.crawl_delay or state.retry_after or state.backoffs}
