"""Refuse requests to IP literals that are not public, before any connection is tried.

Names are checked after resolution by :class:`crawler.fetch.addresses.PublicAddressResolver`;
an IP literal (``http://10.0.0.1/``, ``http://169.254.169.254/``) never reaches a resolver, so
it is checked here, last before the download handler. A refused request is recorded as a
``private_address`` capture. Settings: ``GOVREPORTS_ALLOW_PRIVATE``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from crawler.fetch.addresses import AddressPolicy, is_ip_literal
from crawler.middlewares.archive import META_FAILURE_RECORDED, archive_session

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request


class PrivateAddressMiddleware:
    """Downloader middleware: an IP-literal host must be public (or a seed's)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        return cls(crawler)

    def record_refusal(self, request: Request, reason: str) -> None:
        """Record the refused request as a ``private_address`` capture."""
        archive_session(self.crawler).record_failure(request, "private_address", reason)

    def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if not is_ip_literal(host):
            return None
        reason = AddressPolicy.for_crawler(self.crawler).refusal(host, host)
        if reason is None:
            return None
        self.record_refusal(request, reason)
        request.meta[META_FAILURE_RECORDED] = True
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("govreports/refused/private_address")
        raise IgnoreRequest(reason)
