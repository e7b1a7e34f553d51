"""Redirects stay in the crawl's scope: every hop is checked before it is followed.

Scrapy's redirect middlewares (HTTP 3xx and ``<meta http-equiv=refresh>``) are replaced by
subclasses that ask :meth:`crawler.discovery.scope.CrawlScope.contains` about each hop's
target; a hop out of scope is recorded as an ``out_of_scope`` capture (its URL and where it
came from) and not fetched. The crawler follows no JavaScript ``location`` redirects.
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from crawler.middlewares.archive import META_FAILURE_RECORDED, archive_session


class _ScopedRedirects:
    """Mixin over Scrapy's ``BaseRedirectMiddleware._redirect``: refuse hops out of scope."""

    crawler: Any

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        scope = getattr(self.crawler.spider, "scope", None)
        if scope is not None and not scope.contains(redirected.url):
            message = (f"out of scope: {request.url} redirects ({reason}) to {redirected.url}, "
                       f"outside {scope!r}")
            session = archive_session(self.crawler)
            session.record_failure(redirected, "out_of_scope", message, owner=request)
            request.meta[META_FAILURE_RECORDED] = True
            self.crawler.stats.inc_value("govreports/refused/out_of_scope")
            raise IgnoreRequest(message)
        return super()._redirect(redirected, request, reason)  # type: ignore[misc,no-any-return]


class ScopedRedirectMiddleware(_ScopedRedirects, RedirectMiddleware):
    """HTTP 3xx redirects, each hop checked against the crawl's scope."""


class ScopedMetaRefreshMiddleware(_ScopedRedirects, MetaRefreshMiddleware):
    """``<meta http-equiv="refresh">`` redirects, each hop checked against the crawl's scope."""
