"""Non-public addresses are refused before any connection (these tests connect to nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.fetch.addresses import (
    AddressPolicy,
    PrivateAddressRefused,
    PublicAddressResolver,
    is_public_address,
)
from crawler.fetch.errors import error_kind
from crawler.middlewares.addresses import PrivateAddressMiddleware
from spiders.portal import PortalSpider


@pytest.mark.parametrize("address", [
    "10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "0.0.0.0",
    "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1",
    "::ffff:10.0.0.1", "[::1]", "not-an-ip",
])
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "202.96.134.133", "2400:3200::1"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


def test_policy_exempts_the_seeds_hosts_and_allow_private() -> None:
    policy = AddressPolicy.for_seeds(["http://127.0.0.1:8000/", "http://intranet.gov.cn/"])
    assert policy.refusal("127.0.0.1", "127.0.0.1") is None
    assert policy.refusal("intranet.gov.cn", "10.1.2.3") is None  # a seed on a private address
    refused = policy.refusal("evil.example", "169.254.169.254")
    assert refused is not None and "--allow-private" in refused
    assert policy.refusal("10.0.0.1", "10.0.0.1") is not None
    assert policy.refusal("www.gov.cn", "202.96.134.133") is None
    assert AddressPolicy(allow_private=True).refusal("x", "10.0.0.1") is None


def _crawler(tmp_path: Path, seeds: str, **settings: Any) -> Any:
    crawler = get_crawler(PortalSpider, settings)
    crawler.spider = PortalSpider(seeds=seeds)
    crawler.spider.crawler = crawler
    return crawler


class _Recording(PrivateAddressMiddleware):
    """The middleware, with its refusals kept in a list instead of the run's archive session
    (the capture path, ``ArchiveSession.record_failure``, is the one the crawl tests cover)."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.refused: list[tuple[str, str]] = []

    def record_refusal(self, request: Request, reason: str) -> None:
        self.refused.append((request.url, reason))


class _Process:
    """Stands for the CrawlerProcess Scrapy builds the resolver from."""

    def __init__(self, crawler: Any) -> None:
        self.crawlers = {crawler}
        self.settings = crawler.settings


def test_resolver_refuses_a_name_resolving_to_a_private_address(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path, "http://127.0.0.1:8000/")
    # no reactor is installed here (later in-process crawls choose theirs); no lookup is made
    resolver = PublicAddressResolver.from_crawler(_Process(crawler), reactor=object())
    # the filter the resolver applies to every answer, cached or not (no lookup, no connect)
    with pytest.raises(PrivateAddressRefused) as caught:
        resolver._check("10.0.0.7", "portal.example.gov.cn")
    assert error_kind(caught.value) == "private_address"
    assert resolver._check("202.96.134.133", "www.gov.cn") == "202.96.134.133"
    assert resolver._check("127.0.0.1", "127.0.0.1") == "127.0.0.1"  # the seed's own host
    wrapped = RuntimeError("cannot resolve")
    wrapped.__cause__ = caught.value  # Scrapy re-raises DNS errors as CannotResolveHostError
    assert error_kind(wrapped) == "private_address"


@pytest.mark.parametrize("url", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
                                 "http://[::1]:8080/", "http://0.0.0.0/"])
def test_ip_literals_are_refused_and_recorded_before_download(tmp_path: Path, url: str) -> None:
    middleware = _Recording(_crawler(tmp_path, "http://127.0.0.1:8000/"))
    request = Request(url)
    with pytest.raises(IgnoreRequest) as caught:
        middleware.process_request(request)  # raised here: the download handler never sees it
    assert error_kind(caught.value) == "private_address"
    assert [u for u, _ in middleware.refused] == [url]
    assert request.meta["govreports_failure_recorded"] is True


def test_seed_on_private_address_and_allow_private_pass(tmp_path: Path) -> None:
    seeded = _Recording(_crawler(tmp_path, "http://10.0.0.1/"))
    assert seeded.process_request(Request("http://10.0.0.1/a.html")) is None
    allowed = _Recording(
        _crawler(tmp_path, "http://127.0.0.1:1/", GOVREPORTS_ALLOW_PRIVATE=True))
    assert allowed.process_request(Request("http://10.0.0.2/")) is None
    public = _Recording(_crawler(tmp_path, "http://127.0.0.1:1/"))
    assert public.process_request(Request("http://202.96.134.133/")) is None
