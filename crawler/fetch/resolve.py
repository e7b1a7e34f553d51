"""Fixed answers for chosen host names, like curl's ``--resolve`` (Scrapy's ``TWISTED_DNS_RESOLVER``).

``govreports crawl --resolve www.x.gov.cn:127.0.0.1`` makes every connection to
``www.x.gov.cn`` go to 127.0.0.1 while the request keeps its host name (``Host`` header,
TLS server name, scope, archive). Other names resolve as usual.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

from crawler.errors import ConfigError


class ResolveSpecError(ConfigError, ValueError):
    """A ``--resolve`` value that is not ``HOST:ADDR`` (or curl's ``HOST:PORT:ADDR``)."""


def parse_resolve(specs: Iterable[str]) -> dict[str, str]:
    """``["a.gov.cn:127.0.0.1", "b.gov.cn:80:127.0.0.1"]`` -> ``{"a.gov.cn": "127.0.0.1", …}``."""
    answers: dict[str, str] = {}
    for spec in specs:
        host, sep, rest = spec.strip().partition(":")
        if not sep or not host or not rest:
            raise ResolveSpecError(f"--resolve {spec!r}: expected HOST:ADDR, e.g. www.x.gov.cn:127.0.0.1")
        port, sep, addr = rest.partition(":")
        if sep and port.isdigit():  # curl's HOST:PORT:ADDR (the port is not used)
            rest = addr
        address = rest.strip("[]")
        try:
            ipaddress.ip_address(address)
        except ValueError as exc:
            raise ResolveSpecError(f"--resolve {spec!r}: {address!r} is not an IP address") from exc
        answers[host.lower()] = address
    return answers


class StaticHostsResolver(CachingThreadedResolver):
    """Answers the names in ``GOVREPORTS_RESOLVE`` ({name: address}); the default for the rest.

    Settings: ``GOVREPORTS_RESOLVE`` plus those of ``CachingThreadedResolver``
    (``DNSCACHE_ENABLED``, ``DNSCACHE_SIZE``, ``DNS_TIMEOUT``).
    """

    def __init__(self, reactor: Any, cache_size: int, timeout: float,
                 answers: Mapping[str, str] | None = None) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.answers = {name.lower(): addr for name, addr in (answers or {}).items()}

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> StaticHostsResolver:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"),
                   answers=settings.getdict("GOVREPORTS_RESOLVE"))

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred[str]:  # noqa: N802
        """The fixed address of ``name`` when one was given, else a real lookup."""
        address = self.answers.get(name.lower())
        if address is not None:
            return defer.succeed(address)
        return super().getHostByName(name, timeout)  # type: ignore[no-any-return]
