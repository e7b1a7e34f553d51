"""The benchmark's baseline: a bare Scrapy spider with govreports' scope, depth and trap rules.

Run by ``benchmarks/crawl.py`` in a child process:
``python benchmarks/bare_spider.py URLS_FILE OUT_FILE [--max-pages-per-host N]``.
It fetches the seeds and each seed's ``/sitemap.xml`` (as ``govreports crawl`` does), follows
``<a href>`` links and sitemap ``<loc>`` entries through the same URL rules as the portal spider
(:func:`~crawler.discovery.urls.is_skipped_url`, :func:`~crawler.discovery.urls.canonicalize`,
:class:`~crawler.discovery.scope.CrawlScope`, :func:`~crawler.discovery.urls.looks_like_trap`,
the per-host and per-trap-key budgets), with the same concurrency, robots.txt, ``DEPTH_LIMIT``
and ``DOWNLOAD_MAXSIZE``, and stores nothing. Depth: every page of a list is as deep as its
first page in govreports (``crawler/middlewares/list_depth.py``; it asks for a counted list's
pages ``GOVREPORTS_MAX_LIST_PAGES`` (500) at a time, ``crawler/discovery/paging.py``); the bare
spider follows "next" links instead, and a list page linked from a list page keeps that page's
depth (:func:`~crawler.discovery.urls.looks_like_list`), so both read a list to its end (the
sample portal's longest at scale 250: 1,250 pages). Every URL answered off the wire (redirect
hops included, like govreports' captures) is written to ``OUT_FILE``, one per line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler import settings as crawler_settings  # noqa: E402
from crawler.discovery.scope import CrawlScope  # noqa: E402
from crawler.discovery.urls import (  # noqa: E402
    canonicalize,
    host_of,
    is_skipped_url,
    looks_like_list,
    looks_like_trap,
    trap_key,
)

#: What ``govreports crawl --local`` runs with (crawler/settings.py, crawler/run/): same values.
BARE_SETTINGS: dict[str, Any] = {
    "CONCURRENT_REQUESTS": crawler_settings.CONCURRENT_REQUESTS,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": True,
    "DEPTH_LIMIT": 0,  # counted by the spider (meta "bare_depth"), see the module docstring
    "DOWNLOAD_MAXSIZE": crawler_settings.DOWNLOAD_MAXSIZE,
    "HTTPERROR_ALLOW_ALL": True,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
    "DOWNLOADER_MIDDLEWARES": {f"{__name__}.WireLog": 950},
}


DEPTH = "bare_depth"


class WireLog:
    """Downloader middleware next to the wire: remembers every URL answered (redirects too)."""

    urls: set[str] = set()

    def process_response(self, request: Any, response: Any) -> Any:
        WireLog.urls.add(request.url)
        return response


def run(seeds: list[str], out: Path, max_pages_per_host: int) -> int:
    """Crawl from ``seeds``; write the answered URLs to ``out``. Returns 0."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Response, TextResponse

    scope = CrawlScope(seeds, mode=crawler_settings.GOVREPORTS_SCOPE)
    per_host: dict[str, int] = {}
    per_key: dict[str, int] = {}
    budgeted: set[str] = set()

    def admit(url: str) -> str | None:
        if is_skipped_url(url):
            return None
        url = canonicalize(url)
        if not scope.contains(url) or looks_like_trap(url):
            return None
        if url in budgeted:
            return url
        host = host_of(url)
        if per_host.get(host, 0) >= max_pages_per_host:
            return None
        key = trap_key(url)
        if key:
            if per_key.get(key, 0) >= crawler_settings.GOVREPORTS_MAX_PER_TRAP_KEY:
                return None
            per_key[key] = per_key.get(key, 0) + 1
        per_host[host] = per_host.get(host, 0) + 1
        budgeted.add(url)
        return url

    class BareSpider(scrapy.Spider):
        """Follows links and sitemap entries through govreports' URL rules."""

        name = "bare"

        async def start(self) -> Any:
            for url in seeds:
                yield scrapy.Request(url, priority=1000, meta={DEPTH: 0})
                yield scrapy.Request(urljoin(url, "/sitemap.xml"), priority=900, meta={DEPTH: 0})

        def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
            if not isinstance(response, TextResponse) or response.status >= 400:
                return
            if response.url.endswith(".xml"):
                hrefs = response.xpath("//*[local-name()='loc']/text()").getall()
            else:
                hrefs = response.css("a::attr(href)").getall()
            depth = response.meta.get(DEPTH, 0)
            from_list = looks_like_list(response.url)
            for href in hrefs:
                url = admit(response.urljoin(href.strip()))
                if url is None:
                    continue
                next_depth = depth if from_list and looks_like_list(url) else depth + 1
                if next_depth <= crawler_settings.DEPTH_LIMIT:
                    yield scrapy.Request(url, meta={DEPTH: next_depth})

    process = CrawlerProcess(settings=BARE_SETTINGS)
    process.crawl(BareSpider)
    process.start()
    out.write_text("".join(f"{url}\n" for url in sorted(WireLog.urls)), encoding="utf-8")
    return 0


def main(argv: list[str]) -> int:
    """``URLS_FILE OUT_FILE [--max-pages-per-host N]``."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("seeds", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--max-pages-per-host", type=int,
                        default=crawler_settings.GOVREPORTS_MAX_PAGES_PER_HOST)
    opts = parser.parse_args(argv)
    seeds = opts.seeds.read_text(encoding="utf-8").split()
    return run(seeds, opts.out, opts.max_pages_per_host)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
