"""Which network addresses a crawl may connect to: public ones, and the seeds' own.

A portal (or a redirect, or a link) must not make the crawler connect to the machine it
runs on, its network or a cloud metadata service. Addresses that are private, loopback,
link-local, multicast, reserved or otherwise not global are refused *after* DNS resolution
(:class:`PublicAddressResolver`), so a public name resolving to 10.x is refused too; IP
literals never reach the resolver and are refused by
:class:`~crawler.middlewares.addresses.PrivateAddressMiddleware` before a connection is tried.

Exempt: the seeds' own hosts (a seed on 127.0.0.1 or an intranet name may be crawled, e.g. the
demo and the tests) and every host when ``GOVREPORTS_ALLOW_PRIVATE`` (``--allow-private``)
is set.

Settings: ``GOVREPORTS_ALLOW_PRIVATE``; ``TWISTED_DNS_RESOLVER`` names the resolver.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from twisted.internet.error import DNSLookupError

from crawler.errors import FetchError
from crawler.fetch.resolve import StaticHostsResolver

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred


class PrivateAddressRefused(FetchError, DNSLookupError):
    """A host is (or resolves to) an address the crawl may not connect to."""


def is_public_address(address: str) -> bool:
    """True for a global unicast address; False for private, loopback, link-local, multicast,
    reserved, shared (100.64/10), unspecified and anything that is not an IP address."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def is_ip_literal(host: str) -> bool:
    """True when ``host`` (no port) is written as an IP address."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class AddressPolicy:
    """The crawl's rule: connect to public addresses, and to the exempt hosts whatever they are."""

    def __init__(self, exempt_hosts: Iterable[str] = (), *, allow_private: bool = False) -> None:
        self.exempt_hosts = frozenset(h.lower().strip("[]") for h in exempt_hosts)
        self.allow_private = allow_private

    @classmethod
    def for_seeds(cls, seeds: Iterable[str], *, allow_private: bool = False) -> AddressPolicy:
        """Exempt the seeds' hostnames (without port)."""
        return cls((urlsplit(url).hostname or "" for url in seeds), allow_private=allow_private)

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> AddressPolicy:
        """The policy of the crawl's spider (its ``seed_urls``), built once per crawler."""
        existing = getattr(crawler, "_govreports_address_policy", None)
        if existing is not None:
            return existing  # type: ignore[no-any-return]
        allow = crawler.settings.getbool("GOVREPORTS_ALLOW_PRIVATE")
        spider = getattr(crawler, "spider", None)
        if spider is None:  # asked before the spider exists: do not cache
            return cls(allow_private=allow)
        policy = cls.for_seeds(getattr(spider, "seed_urls", ()), allow_private=allow)
        crawler._govreports_address_policy = policy  # type: ignore[attr-defined]
        return policy

    def refusal(self, host: str, address: str) -> str | None:
        """Why connecting to ``host`` at ``address`` is refused, or None when it is allowed."""
        host = host.lower().strip("[]")
        if self.allow_private or host in self.exempt_hosts or is_public_address(address):
            return None
        shown = host if host == address else f"{host} ({address})"
        return (f"private address refused: {shown} is not a public address; crawl it as a seed "
                "or pass --allow-private")


class PublicAddressResolver(StaticHostsResolver):
    """Scrapy's caching resolver, refusing names that resolve to non-public addresses.

    The check runs on every lookup, cached or not, so the address checked is the address
    connected to. Names the operator pinned with ``--resolve`` (``GOVREPORTS_RESOLVE``) are
    answered as given and not checked: the operator chose that address.
    """

    #: What built the resolver: Scrapy passes its ``CrawlerProcess`` (one resolver for the
    #: reactor), whose crawlers' policies are asked; a name is allowed if one allows it.
    owner: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PublicAddressResolver:
        resolver = super().from_crawler(crawler, reactor)
        assert isinstance(resolver, PublicAddressResolver)
        resolver.owner = crawler
        return resolver

    def policies(self) -> list[AddressPolicy]:
        """The running crawls' policies (a settings-only one before any spider exists)."""
        crawlers = getattr(self.owner, "crawlers", None)
        if crawlers is None:
            crawlers = [self.owner] if getattr(self.owner, "spider", None) is not None else []
        found = [AddressPolicy.for_crawler(c) for c in crawlers
                 if getattr(c, "spider", None) is not None]
        if found:
            return found
        settings = getattr(self.owner, "settings", None)
        allow = bool(settings.getbool("GOVREPORTS_ALLOW_PRIVATE")) if settings is not None else False
        return [AddressPolicy(allow_private=allow)]

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802
        if name.lower() in self.answers:  # pinned by --resolve
            return super().getHostByName(name, timeout)
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        reasons = [policy.refusal(name, address) for policy in self.policies()]
        if all(reasons):
            raise PrivateAddressRefused(reasons[0])
        return address
