"""Conditional re-crawls: validators out, a 304 answered from the archive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from crawler.archive.session import ArchiveSession
from crawler.middlewares.archive import (
    META_NOT_MODIFIED,
    META_SHA256,
    META_UNCONDITIONAL,
    _run_owner,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ConditionalRequestMiddleware:
    """Ask again only if changed: validators out, and a 304 answered from the archive.

    Detail pages and documents fetched before are requested with ``If-None-Match`` /
    ``If-Modified-Since``; a ``304 Not Modified`` (already archived as a revisit record by
    :class:`WireArchiveMiddleware`) reaches the spider as the archived 200 response, so
    discovery and parsing go on as if it had been downloaded. Which validators go out is the
    re-crawl policy's decision (``GOVREPORTS_RECRAWL_POLICY``, ``crawler/archive/policy.py``).
    """

    def __init__(self, session: ArchiveSession) -> None:
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(_run_owner(crawler).session)

    def process_request(self, request: Request) -> None:
        if request.method != "GET" or request.meta.get(META_UNCONDITIONAL):
            return None
        for name, value in self.session.validators_for(request.url).items():
            request.headers.setdefault(name, value)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 304 or not request.meta.get(META_NOT_MODIFIED):
            return response
        session = self.session
        body = session.blobs.get(request.meta[META_SHA256])
        known = session.known.get(request.url)
        headers = Headers({k: v for k, v in response.headers.items()
                           if k.lower() not in (b"content-encoding", b"content-length")})
        if known is not None and known.content_type:
            charset = f"; charset={known.charset}" if known.charset else ""
            headers[b"Content-Type"] = f"{known.content_type}{charset}".encode("latin-1")
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        return cls(url=response.url, status=200, headers=headers, body=body, request=request,
                   flags=[*response.flags, "not_modified"], ip_address=response.ip_address,
                   protocol=response.protocol)
