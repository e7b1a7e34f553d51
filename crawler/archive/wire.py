"""A request and its response as plain data: what the archive's write path needs of them.

The write path (WARC record, capture row, URL state, the frontier row's ``answered`` mark) runs
in the archive's writer thread or writer process (``crawler.archive.writer``,
``crawler.archive.writer_process``); it gets these copies instead of Scrapy's objects, so it
can be handed to another process (they pickle) and never touches an object the reactor uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.discovery.urls import META_LIST
from crawler.frontier.scheduler import META_FRONTIER_KEY

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

#: The request meta keys the write path reads (the URL's kind, the frontier row to answer).
WIRE_META = (META_FRONTIER_KEY, META_LIST)


@dataclass(frozen=True)
class WireHeaders:
    """Header (name, value) pairs in the order received; read like Scrapy's ``Headers``."""

    pairs: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or None."""
        lowered = name.lower()
        return next((value for key, value in self.pairs if key.lower() == lowered), None)

    def items(self) -> Iterator[tuple[str, list[str]]]:
        """(name, values) per header name, in the order each name first came."""
        grouped: dict[str, list[str]] = {}
        for key, value in self.pairs:
            grouped.setdefault(key, []).append(value)
        return iter(grouped.items())


@dataclass(frozen=True)
class WireRequest:
    """What the write path reads of a request."""

    url: str
    method: str = "GET"
    headers: WireHeaders = field(default_factory=WireHeaders)
    body: bytes = b""
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WireResponse:
    """What the write path reads of a response (``body``: as received, content encoding on)."""

    status: int
    headers: WireHeaders
    body: bytes
    protocol: str | None = None
    ip_address: str | None = None


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """(name, value) pairs of Scrapy ``Headers`` (or :class:`WireHeaders`), decoded as latin-1."""
    pairs: list[tuple[str, str]] = []
    for key, values in headers.items():
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        for value in values:
            pairs.append((name, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return pairs


def wire_request(request: Request | WireRequest) -> WireRequest:
    """``request`` as plain data."""
    if isinstance(request, WireRequest):
        return request
    meta = {key: request.meta[key] for key in WIRE_META if key in request.meta}
    return WireRequest(request.url, request.method, WireHeaders(tuple(header_pairs(request.headers))),
                       request.body or b"", meta)


def wire_response(response: Response | WireResponse) -> WireResponse:
    """``response`` as plain data."""
    if isinstance(response, WireResponse):
        return response
    ip = response.ip_address
    return WireResponse(response.status, WireHeaders(tuple(header_pairs(response.headers))),
                        response.body, getattr(response, "protocol", None) or None,
                        str(ip) if ip else None)
