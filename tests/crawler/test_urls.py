"""Canonical URLs, scope hosts, attachments and traps."""

from __future__ import annotations

import pytest

from crawler.discovery.urls import (
    canonicalize,
    host_of,
    is_attachment_url,
    looks_like_trap,
    trap_key,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://X.gov.cn/a/b.html;jsessionid=ABC123?id=1", "http://x.gov.cn/a/b.html?id=1"),
        ("http://x.gov.cn/list?sid=99&page=2", "http://x.gov.cn/list?page=2"),
        ("http://x.gov.cn/p?utm_source=wx&utm_medium=a&id=7", "http://x.gov.cn/p?id=7"),
        ("http://x.gov.cn/p?b=2&a=1", "http://x.gov.cn/p?a=1&b=2"),
        ("http://x.gov.cn:80/p", "http://x.gov.cn/p"),
        ("https://x.gov.cn:443/p", "https://x.gov.cn/p"),
        ("http://x.gov.cn:8080/p", "http://x.gov.cn:8080/p"),
        ("http://x.gov.cn/p#top", "http://x.gov.cn/p"),
        ("http://x.gov.cn", "http://x.gov.cn/"),
        ("http://x.gov.cn/p?t=1637654400&id=3", "http://x.gov.cn/p?id=3"),
        ("http://x.gov.cn/p?t=news", "http://x.gov.cn/p?t=news"),
        (
            "http://x.gov.cn/s.jsp?page=2&keyword=%C4%EA%B1%A8",
            "http://x.gov.cn/s.jsp?keyword=%C4%EA%B1%A8&page=2",
        ),
        ("http://x.gov.cn/p?UTM_Source=a&JSESSIONID=x&q", "http://x.gov.cn/p?q"),
    ],
)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


def test_host_of_keeps_only_non_default_ports() -> None:
    assert host_of("http://X.gov.cn:8080/a") == "x.gov.cn:8080"
    assert host_of("http://x.gov.cn/a") == "x.gov.cn"
    assert host_of("http://x.gov.cn:80/a") == host_of(canonicalize("http://x.gov.cn:80/a"))
    assert host_of("https://x.gov.cn:443/a") == "x.gov.cn"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=x.pdf", True),
        ("http://x.gov.cn/module/download/downfile.jsp?filename=x.docx&classid=0", True),
        ("http://x.gov.cn/files/2021年报.PDF", True),
        ("http://x.gov.cn/files/report.wps", True),
        ("http://x.gov.cn/zwgk/index.html", False),
        ("http://x.gov.cn/art/2022/1/5/art_1_2.html?from=pdf", False),
    ],
)
def test_is_attachment_url(url: str, expected: bool) -> None:
    assert is_attachment_url(url) is expected


def test_trap_key_ignores_values_only() -> None:
    march = trap_key("http://x.gov.cn/calendar?month=2021-03&day=1")
    april = trap_key("http://x.gov.cn/calendar?day=9&month=2021-04")
    assert march == april != ""
    assert trap_key("http://x.gov.cn/calendar?year=2021") != march
    assert trap_key("http://x.gov.cn/other?month=2021-03&day=1") != march
    assert trap_key("http://x.gov.cn/plain.html") == ""


def test_looks_like_trap() -> None:
    assert looks_like_trap("http://x.gov.cn/a/a/a/a/index.html")
    assert not looks_like_trap("http://x.gov.cn/a/a/a/index.html")
    assert looks_like_trap("http://x.gov.cn/" + "x" * 2100)
    assert not looks_like_trap("http://x.gov.cn/zwgk/zfxxgknb/2021/index.html")
