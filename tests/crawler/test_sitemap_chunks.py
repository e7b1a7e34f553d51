"""A sitemap listing the whole portal is followed a chunk at a time, as it is read: the spider
never holds the prepared requests of every URL it lists at once (issue 9: ``tracemalloc`` saw
about 2 KB per sitemap URL held before the first was followed, 10.5 MB for 5,261 URLs)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any

from scrapy.http import XmlResponse

from spiders.portal import SITEMAP_CHUNK, PortalSpider

URLS = 3 * SITEMAP_CHUNK + 7


class _Spider:
    """What ``parse_sitemap`` uses of the spider; records the links it is asked to follow."""

    def __init__(self) -> None:
        self.chunks: list[int] = []
        self.crawler = SimpleNamespace(stats=SimpleNamespace(inc_value=lambda *a, **k: None))

    def _http_error(self, response: Any) -> bool:
        return False

    def _in_scope(self, url: str) -> bool:
        return True

    def _iter_follow(self, links: Iterable[tuple[str, str]], *, base_priority: int) -> Iterator[str]:
        links = list(links)
        self.chunks.append(len(links))
        for url, _ in links:
            yield url


def _sitemap(count: int) -> XmlResponse:
    urls = "".join(f"<url><loc>http://portal.test/page/{n}.html</loc></url>" for n in range(count))
    body = ('<?xml version="1.0" encoding="UTF-8"?><urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode()
    return XmlResponse("http://portal.test/sitemap.xml", body=body)


def test_a_sitemap_is_followed_a_chunk_at_a_time_in_order() -> None:
    spider = _Spider()
    followed = list(PortalSpider.parse_sitemap(spider, _sitemap(URLS)))  # type: ignore[arg-type]
    assert followed == [f"http://portal.test/page/{n}.html" for n in range(URLS)]
    assert sum(spider.chunks) == URLS
    # before: one call with every URL of the sitemap
    assert max(spider.chunks) <= SITEMAP_CHUNK < URLS


def test_the_first_links_are_followed_before_the_sitemap_is_read_to_its_end() -> None:
    spider = _Spider()
    requests = PortalSpider.parse_sitemap(spider, _sitemap(URLS))  # type: ignore[arg-type]
    next(requests)
    assert spider.chunks == [SITEMAP_CHUNK]
