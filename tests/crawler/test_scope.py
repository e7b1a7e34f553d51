"""CrawlScope: a seed's site is its registered domain (public suffix list), or its host."""

from __future__ import annotations

import pytest

from crawler.discovery.scope import CrawlScope, registered_domain
from crawler.fetch.resolve import ResolveSpecError, parse_resolve


@pytest.mark.parametrize(("host", "domain"), [
    ("www.beijing.gov.cn", "beijing.gov.cn"),
    ("xxgk.beijing.gov.cn", "beijing.gov.cn"),
    ("zfxxgk.nea.gov.cn", "nea.gov.cn"),
    ("WWW.Example.COM.CN", "example.com.cn"),
    ("www.gov.cn", "www.gov.cn"),
    ("gov.cn", None),
    ("127.0.0.1", None),
    ("::1", None),
    ("localhost", None),
])
def test_registered_domain_from_the_bundled_public_suffix_list(host: str, domain: str | None) -> None:
    assert registered_domain(host) == domain


def test_domain_scope_joins_subdomains_of_the_seed() -> None:
    scope = CrawlScope(["http://www.x.gov.cn/"])
    assert scope.contains("http://xxgk.x.gov.cn/zfxxgk/nb/index.html")
    assert scope.contains("https://x.gov.cn/")
    assert scope.contains("http://www.x.gov.cn:8080/a")
    assert not scope.contains("http://www.y.gov.cn/")
    assert not scope.contains("http://x.gov.cn.evil.com/")
    assert not scope.contains("http://www.gov.cn/")  # the parent portal is another site
    assert not scope.contains("ftp://www.x.gov.cn/")
    assert not scope.contains("javascript:void(0)")
    assert scope.site_of("http://xxgk.x.gov.cn/") == "x.gov.cn"


def test_host_scope_keeps_to_the_seed_host() -> None:
    scope = CrawlScope(["http://www.x.gov.cn/"], mode="host")
    assert scope.contains("http://www.x.gov.cn/list/")
    assert not scope.contains("http://xxgk.x.gov.cn/")
    assert scope.site_of("http://xxgk.x.gov.cn/") == "xxgk.x.gov.cn"


def test_allow_host_adds_one_host_in_either_mode() -> None:
    for mode in ("host", "domain"):
        scope = CrawlScope(["http://www.x.gov.cn/"], mode=mode,  # type: ignore[arg-type]
                           allow_hosts=["files.cdn.example.com", "127.0.0.1:9000"])
        assert scope.contains("http://files.cdn.example.com/a.pdf")
        assert scope.contains("http://127.0.0.1:9000/a")
        assert not scope.contains("http://127.0.0.1:9001/a")
        assert not scope.contains("http://other.cdn.example.com/a.pdf")


def test_ip_seeds_stay_host_and_port() -> None:
    scope = CrawlScope(["http://127.0.0.1:8001/"])
    assert scope.contains("http://127.0.0.1:8001/x")
    assert not scope.contains("http://127.0.0.1:8002/x")


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="scope must be one of"):
        CrawlScope(["http://www.x.gov.cn/"], mode="world")  # type: ignore[arg-type]


def test_resolve_specs() -> None:
    assert parse_resolve(["www.X.gov.cn:127.0.0.1", "xxgk.x.gov.cn:80:127.0.0.2", "v6.x.gov.cn:[::1]"]) == {
        "www.x.gov.cn": "127.0.0.1", "xxgk.x.gov.cn": "127.0.0.2", "v6.x.gov.cn": "::1"}
    for bad in ("www.x.gov.cn", "www.x.gov.cn:", "www.x.gov.cn:not-an-ip", ":127.0.0.1"):
        with pytest.raises(ResolveSpecError):
            parse_resolve([bad])
