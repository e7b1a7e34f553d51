"""The crawl's scope: which URLs a crawl may fetch.

One :class:`CrawlScope` per crawl, built from its seeds. Every component that decides
whether to fetch a URL (links, sitemaps, list adapters, redirects, site search) asks it.

Two modes (``--scope``):

* ``domain`` (default): a seed's site is its registered domain under the public suffix list
  (``www.x.gov.cn`` and ``xxgk.x.gov.cn`` are both ``x.gov.cn``), on any port. The list is
  the one bundled with ``tldextract``; nothing is downloaded at run time. A seed with no
  registered domain (an IP address, ``localhost``) stays its ``host[:port]``.
* ``host``: a seed's site is exactly its ``host[:port]``.

``--allow-host HOST`` adds a host (``host`` or ``host:port``) in either mode. Politeness and
budgets are not scope: they stay per host.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

import tldextract

from crawler.discovery.urls import host_of

_SCHEMES = ("http", "https")
ScopeMode = Literal["host", "domain"]
SCOPE_MODES: tuple[ScopeMode, ...] = ("domain", "host")

#: The public suffix list as bundled with tldextract: never fetched, never cached on disk.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def registered_domain(hostname: str) -> str | None:
    """``x.gov.cn`` for ``xxgk.x.gov.cn``; None for IP addresses and names without a public suffix."""
    name = hostname.lower().strip(".")
    if not name:
        return None
    try:
        ipaddress.ip_address(name.strip("[]"))
        return None
    except ValueError:
        pass
    parts = _EXTRACT(name)
    if not parts.suffix or not parts.domain:
        return None
    return f"{parts.domain}.{parts.suffix}"

#: How many URLs a scope remembers its answer for (then it starts afresh).
_REMEMBERED_URLS = 8192


class CrawlScope:
    """The seeds' sites: a URL is in scope when its scheme is http(s) and its site is allowed."""

    def __init__(self, seeds: Iterable[str], *, mode: ScopeMode = "domain",
                 allow_hosts: Iterable[str] = ()) -> None:
        if mode not in SCOPE_MODES:
            raise ValueError(f"scope must be one of {', '.join(SCOPE_MODES)}, not {mode!r}")
        self.mode = mode
        self.seed_hosts = frozenset(host_of(url) for url in seeds)
        self.allowed_hosts = frozenset(h.strip().lower() for h in allow_hosts if h.strip())
        self.domains = frozenset(
            d for d in (self._domain_of_host(h) for h in self.seed_hosts) if d is not None
        ) if mode == "domain" else frozenset()
        self._contains: dict[str, bool] = {}

    @property
    def hosts(self) -> frozenset[str]:
        """The hosts (``host[:port]``) named by the seeds or allowed explicitly."""
        return self.seed_hosts | self.allowed_hosts

    @staticmethod
    def _domain_of_host(host: str) -> str | None:
        hostname = urlsplit(f"//{host}").hostname or ""
        return registered_domain(hostname)

    def contains(self, url: str) -> bool:
        """True when the crawl may fetch ``url`` (remembered for the last URLs asked about:
        a portal's pages repeat their navigation links)."""
        known = self._contains.get(url)
        if known is None:
            if len(self._contains) >= _REMEMBERED_URLS:
                self._contains.clear()
            known = self._contains[url] = self._decide(url)
        return known

    def _decide(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme.lower() not in _SCHEMES:
            return False
        host = host_of(url)
        if (host in self.seed_hosts or host in self.allowed_hosts
                or (parts.hostname or "").lower() in self.allowed_hosts):
            return True
        if not self.domains:
            return False
        return self._domain_of_host(host) in self.domains

    def site_of(self, url: str) -> str:
        """The site ``url`` belongs to: its registered domain in ``domain`` mode, else its host."""
        host = host_of(url)
        if self.mode == "domain":
            domain = self._domain_of_host(host)
            if domain is not None and domain in self.domains:
                return domain
        return host

    def __repr__(self) -> str:
        return f"CrawlScope(mode={self.mode!r}, hosts={sorted(self.hosts)}, domains={sorted(self.domains)})"
