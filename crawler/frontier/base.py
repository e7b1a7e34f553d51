"""What the run owner needs from a frontier, whatever keeps it (database, Redis), and what
every frontier needs: which requests the engine still holds, and a request serialised
without Scrapy's cost."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from scrapy import Request, Spider


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


def archive_writes_pending(crawler: Any) -> Callable[[str | int], bool]:
    """Whether a key (a frontier key, a request's ``id()``) has an archive write handed over
    but not committed (``crawler.archive.writer``): such a request is not finished yet."""
    from crawler.extensions.run_owner import RunOwner

    owner = crawler.get_extension(RunOwner) if crawler is not None else None
    writer = getattr(getattr(owner, "session", None), "writer", None)
    if writer is None:
        return lambda _key: False
    return writer.busy  # type: ignore[no-any-return]


def request_dict(request: Request, spider: Spider | None) -> dict[str, Any]:
    """``request.to_dict(spider=spider)``, without its cost.

    Scrapy names a callback with ``inspect.getmembers(spider)``, which evaluates every property
    of the spider for every request (the portal spider's ``hosts`` walks every URL seen: the
    crawl went quadratic). A method bound to ``spider`` is named directly here; any other
    callable goes through Scrapy, which raises as before for one it cannot name.
    """
    callback, errback = request.callback, request.errback
    names = [_method_name(callback, spider), _method_name(errback, spider)]
    if (callback is not None and names[0] is None) or (errback is not None and names[1] is None):
        return request.to_dict(spider=spider)
    data = request.replace(callback=None, errback=None).to_dict()
    data["callback"], data["errback"] = names
    return data


def _method_name(func: Any, spider: Spider | None) -> str | None:
    """The attribute name of ``func`` when it is a method bound to ``spider``, else None."""
    if func is None or spider is None or getattr(func, "__self__", None) is not spider:
        return None
    name = getattr(func, "__name__", None)
    own = getattr(type(spider), name, None) if name else None
    if own is not None and own is getattr(func, "__func__", None):
        return name
    return None
