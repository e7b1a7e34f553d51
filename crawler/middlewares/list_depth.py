"""Depth as a reader counts it: the pages of one list are all as deep as its first page.

Scrapy's ``DepthMiddleware`` makes every request one level deeper than the page it came from,
so a list paged only by 下一页 links (no stated count) reached ``DEPTH_LIMIT`` after about ten
pages, and a long list's older years, where old reports sit, were never read. Here a request
marked as a page of a list (``META_LIST``, set by the spider's paging, data-list and jpage
requests, which only a list page makes) keeps the depth of the page that asked for it. Lists
stay bounded by their own rules (a stated count, a page that brings no new links ends a list,
and ``GOVREPORTS_LIST_PAGES_CEILING``; ``spiders.lists``), not by depth.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.depth import DepthMiddleware

from crawler.discovery.urls import META_LIST


class ListDepthMiddleware(DepthMiddleware):
    """``DepthMiddleware`` (``DEPTH_LIMIT``, ``DEPTH_PRIORITY``), but a list's pages keep its depth."""

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if response is not None and request.meta.get(META_LIST):
            request.meta.pop("depth_reset", None)
            request.meta["depth"] = response.meta.get("depth", 0)
            return request
        return super().get_processed_request(request, response)
