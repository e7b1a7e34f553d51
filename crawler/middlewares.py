"""Downloader middlewares: archive every fetch off the wire, retry with backoff.

``WireArchiveMiddleware`` sits next to the downloader (order 950), so it sees each response
before redirects are followed, retries are made or bodies are decompressed: what it archives
is what the server sent.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from crawler.archive_session import ArchiveSession
from crawler.fetch_errors import error_kind

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

    Settings: ``GOVREPORTS_DB``, ``GOVREPORTS_ARCHIVE``, ``GOVREPORTS_RUN_ID``,
    ``GOVREPORTS_INSECURE_HOSTS``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WireArchiveMiddleware:
        return cls(crawler)

    @property
    def session(self) -> ArchiveSession:
        return ArchiveSession.for_crawler(self.crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        fetched = self.session.record_response(request, response)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("govreports/fetches")
        stats.inc_value("govreports/bytes", len(response.body))
        request.meta[META_CAPTURE_ID] = fetched.capture_id
        request.meta[META_SHA256] = fetched.sha256
        request.meta[META_CHARSET] = fetched.charset
        request.meta[META_NOT_MODIFIED] = fetched.not_modified
        if fetched.not_modified:
            stats.inc_value("govreports/not_modified")
        if 300 <= response.status < 400 and self._redirects_back(request, response):
            self.session.record_failure(request, "redirect_loop",
                                        f"redirect loop: {request.url} leads back to an earlier URL")
            request.meta[META_FAILURE_RECORDED] = True
            raise IgnoreRequest(f"redirect loop at {request.url}")
        if fetched.blocked_reason:
            request.meta[META_FAILURE_RECORDED] = True
            raise IgnoreRequest(f"challenge page: {fetched.blocked_reason} at {request.url}")
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

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest):
            return None
        kind = error_kind(exception)
        self.session.record_failure(request, kind, f"{type(exception).__name__}: {exception}")
        request.meta[META_FAILURE_RECORDED] = True
        return None


class ConditionalRequestMiddleware:
    """Ask again only if changed: validators out, and a 304 answered from the archive.

    Detail pages and documents fetched before are requested with ``If-None-Match`` /
    ``If-Modified-Since``; a ``304 Not Modified`` (already archived as a revisit record by
    :class:`WireArchiveMiddleware`) reaches the spider as the archived 200 response, so
    discovery and parsing go on as if it had been downloaded. Setting:
    ``GOVREPORTS_CONDITIONAL`` (default True).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("GOVREPORTS_CONDITIONAL", True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not self.enabled or request.method != "GET" or request.meta.get(META_UNCONDITIONAL):
            return None
        for name, value in ArchiveSession.for_crawler(self.crawler).validators_for(request.url).items():
            request.headers.setdefault(name, value)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 304 or not request.meta.get(META_NOT_MODIFIED):
            return response
        session = ArchiveSession.for_crawler(self.crawler)
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


class RetryBackoffMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, waiting ``RETRY_BACKOFF_BASE * 2**n`` (± jitter) before retry n.

    Settings: those of ``RetryMiddleware`` plus ``RETRY_BACKOFF_BASE`` (seconds, default 0.5)
    and ``RETRY_BACKOFF_MAX`` (default 30).
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def backoff_delay(self, retry_times: int) -> float:
        """Seconds to wait before the ``retry_times``-th retry."""
        delay = min(self.backoff_max, self.backoff_base * 2 ** max(retry_times - 1, 0))
        return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not crypto

    async def _wait(self, result: Request | Response | None) -> None:
        if isinstance(result, Request):
            from twisted.internet import reactor  # the running one, installed by Scrapy

            delay = self.backoff_delay(result.meta.get("retry_times", 1))
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        result = super().process_response(request, response)
        await self._wait(result)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        await self._wait(result)
        return result
