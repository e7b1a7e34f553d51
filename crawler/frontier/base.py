"""What the run owner needs from a frontier, whatever keeps it (database, Redis), and what
every frontier asks the engine: which requests it still holds."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Frontier(Protocol):
    """A durable frontier of one run."""

    def size(self) -> int:
        """Requests not finished yet (queued, in flight or answered)."""

    def drained(self) -> bool:
        """True when every request of the run is finished (durably)."""

    def requeue_in_flight(self) -> int:
        """Queue again the requests a dead process had handed out; return how many."""


def engine_busy_requests(engine: Any) -> set[int]:
    """``id()`` of every request the engine still holds: in progress, downloading or being
    scraped (its callback output or items not done). Scrapy 2.19's attributes, as pinned."""
    if engine is None:
        return set()
    busy: set[int] = set()
    for request in getattr(getattr(engine, "_slot", None), "inprogress", ()):
        busy.add(id(request))
    for request in getattr(engine.downloader, "active", ()):
        busy.add(id(request))
    for request in getattr(getattr(engine.scraper, "slot", None), "active", ()):
        busy.add(id(request))
    return busy
