"""The crawl's scope: which URLs a crawl may fetch.

One :class:`CrawlScope` per crawl, built from its seeds. Every component that decides
whether to fetch a URL (links, sitemaps, list adapters, redirects, site search) asks it.

Today a seed's scope is its ``host[:port]``; the discovery work widens the default to the
seed's registered domain (``--scope host|domain``, ``--allow-host``).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from crawler.discovery.urls import host_of

_SCHEMES = ("http", "https")


class CrawlScope:
    """The seeds' sites: a URL is in scope when its scheme is http(s) and its host is allowed."""

    def __init__(self, seeds: Iterable[str], *, allow_hosts: Iterable[str] = ()) -> None:
        self.seed_hosts = frozenset(host_of(url) for url in seeds)
        self.allowed_hosts = frozenset(h.lower() for h in allow_hosts)

    @property
    def hosts(self) -> frozenset[str]:
        """The hosts (``host[:port]``) named by the seeds or allowed explicitly."""
        return self.seed_hosts | self.allowed_hosts

    def contains(self, url: str) -> bool:
        """True when the crawl may fetch ``url``."""
        if urlsplit(url).scheme.lower() not in _SCHEMES:
            return False
        return host_of(url) in self.hosts

    def __repr__(self) -> str:
        return f"CrawlScope(hosts={sorted(self.hosts)})"
