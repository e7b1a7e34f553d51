"""Archive every fetch off the wire.

``WireArchiveMiddleware`` sits next to the downloader (order 950), so it sees each response
before redirects are followed, retries are made or bodies are decompressed: what it archives
is what the server sent. It decodes the content encoding once, within ``DOWNLOAD_MAXSIZE``
(a decompression bomb is recorded as ``too_large`` and goes no further), and passes the
decoded response on, so :class:`~crawler.middlewares.decompression.BoundedHttpCompressionMiddleware`
has nothing left to do for it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Request, Response, TextResponse
from scrapy.responsetypes import responsetypes

from crawler.archive.session import ArchiveSession
from crawler.extensions.run_owner import RunOwner
from crawler.fetch.errors import error_kind

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

META_CAPTURE_ID = "govreports_capture_id"
META_SHA256 = "govreports_sha256"
META_CHARSET = "govreports_charset"
META_FAILURE_RECORDED = "govreports_failure_recorded"
META_NOT_MODIFIED = "govreports_not_modified"
#: Set on a request to fetch it unconditionally (no If-None-Match / If-Modified-Since).
META_UNCONDITIONAL = "govreports_unconditional"


class WireArchiveMiddleware:
    """Record every response and every failed fetch in the archive.

    The archive session comes from the run owner (``crawler.get_extension(RunOwner)``).
    """

    def __init__(self, crawler: Crawler, session: ArchiveSession) -> None:
        self.crawler = crawler
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WireArchiveMiddleware:
        return cls(crawler, _run_owner(crawler).session)

    async def process_response(self, request: Request, response: Response) -> Response:
        # the blob (hash, write, fsync) is written in a thread; the capture commit waits for it
        fetched = await self.session.record_response_async(request, response)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("govreports/fetches")
        stats.inc_value("govreports/bytes", len(response.body))
        if fetched.refused:
            request.meta[META_FAILURE_RECORDED] = True
            raise IgnoreRequest(f"too large: the decoded body of {request.url} exceeds DOWNLOAD_MAXSIZE")
        request.meta[META_CAPTURE_ID] = fetched.capture_id
        request.meta[META_SHA256] = fetched.sha256
        request.meta[META_CHARSET] = fetched.charset
        request.meta[META_NOT_MODIFIED] = fetched.not_modified
        if fetched.not_modified:
            stats.inc_value("govreports/not_modified")
        if 300 <= response.status < 400 and self._redirects_back(request, response):
            await self.session.record_failure_async(
                request, "redirect_loop", f"redirect loop: {request.url} leads back to an earlier URL")
            request.meta[META_FAILURE_RECORDED] = True
            raise IgnoreRequest(f"redirect loop at {request.url}")
        if fetched.blocked_reason:
            request.meta[META_FAILURE_RECORDED] = True
            raise IgnoreRequest(f"challenge page: {fetched.blocked_reason} at {request.url}")
        if fetched.payload is not None and response.headers.get("Content-Encoding"):
            return _decoded(response, fetched.payload)
        return response

    @staticmethod
    def _redirects_back(request: Request, response: Response) -> bool:
        """True when a redirect points at a URL already visited in this redirect chain."""
        from urllib.parse import urljoin

        location = response.headers.get("Location")
        if not location:
            return False
        target = urljoin(request.url, location.decode("latin-1"))
        return target in [request.url, *request.meta.get("redirect_urls", [])]

    async def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest):
            return None
        kind = error_kind(exception)
        await self.session.record_failure_async(request, kind,
                                                f"{type(exception).__name__}: {exception}")
        request.meta[META_FAILURE_RECORDED] = True
        return None


def archive_session(crawler: Crawler) -> ArchiveSession:
    """The crawl's archive session (held by its run owner)."""
    return _run_owner(crawler).session


def _run_owner(crawler: Crawler) -> RunOwner:
    owner = crawler.get_extension(RunOwner)
    if owner is None:
        raise RuntimeError("govreports middlewares need the RunOwner extension "
                           "(crawler.extensions.run_owner.RunOwner in EXTENSIONS)")
    return owner


def _decoded(response: Response, payload: bytes) -> Response:
    """``response`` with its content encoding removed (the archived payload as body)."""
    headers = Headers(response.headers)
    del headers[b"Content-Encoding"]
    headers.pop(b"Content-Length", None)
    cls = responsetypes.from_args(headers=headers, url=response.url, body=payload)
    kwargs: dict[str, object] = {"encoding": None} if issubclass(cls, TextResponse) else {}
    return response.replace(cls=cls, body=payload, headers=headers, **kwargs)
