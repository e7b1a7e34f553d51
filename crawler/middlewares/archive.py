"""Archive every fetch off the wire.

``WireArchiveMiddleware`` sits next to the downloader (order 950), so it sees each response
before redirects are followed, retries are made or bodies are decompressed: what it archives
is what the server sent. It decodes the content encoding once, within ``DOWNLOAD_MAXSIZE``
(a decompression bomb is recorded as ``too_large`` and goes no further), and passes the
decoded response on, so :class:`~crawler.middlewares.decompression.BoundedHttpCompressionMiddleware`
has nothing left to do for it.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Request, Response, TextResponse
from scrapy.responsetypes import responsetypes

from crawler.archive.session import ArchiveSession, FetchRecord
from crawler.extensions.run_owner import RunOwner
from crawler.fetch.errors import error_kind

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

META_CAPTURE_ID = "govreports_capture_id"
#: The capture's commit while it is on its way (a ``concurrent.futures.Future`` of the
#: ``FetchRecord``): set instead of ``META_CAPTURE_ID`` on a page handed on before its commit.
#: Read the id with :func:`committed_capture_id`.
META_CAPTURE_COMMIT = "govreports_capture_commit"
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
        # the blob (hash, write, fsync) is written in a thread; the capture commit waits for it.
        # A 200 answer for the spider goes on before its commit (the writer thread holds its
        # request busy meanwhile): the commit's wait no longer holds one of the crawl's
        # CONCURRENT_REQUESTS download slots. Probes and other answers wait for their commit.
        deferred = response.status == 200 and not request.meta.get("govreports_probe")
        fetched = await self.session.record_response_async(request, response,
                                                           wait_for_commit=not deferred)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("govreports/fetches")
        stats.inc_value("govreports/bytes", len(response.body))
        if fetched.refused:
            request.meta[META_FAILURE_RECORDED] = True
            raise IgnoreRequest(f"too large: the decoded body of {request.url} exceeds DOWNLOAD_MAXSIZE")
        if fetched.commit is not None:
            request.meta[META_CAPTURE_COMMIT] = fetched.commit
        else:
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


async def committed_capture_id(response: Response) -> int | None:
    """The id of ``response``'s capture, once committed (None when it was not archived). A
    commit still on its way (``META_CAPTURE_COMMIT``) is awaited; its failure is raised."""
    meta = response.meta
    if META_CAPTURE_ID not in meta and META_CAPTURE_COMMIT in meta:
        record = await asyncio.wrap_future(meta[META_CAPTURE_COMMIT])
        meta[META_CAPTURE_ID] = record.capture_id
    capture_id: int | None = meta.get(META_CAPTURE_ID)
    return capture_id


def pending_capture(request: Request) -> int | Future[FetchRecord] | None:
    """``request``'s capture id, or its commit while on its way (for ``ArchiveSession.mark_capture``)."""
    capture = request.meta.get(META_CAPTURE_ID)
    return capture if capture is not None else request.meta.get(META_CAPTURE_COMMIT)


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
