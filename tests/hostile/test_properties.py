"""Property tests: URL, page, paging, JSON-list and title functions on long, adversarial input.

Every call must finish within a time bound that only linear-time code meets: the inputs
repeat the patterns that made the old regexes backtrack (runs without spaces or quotes,
unclosed brackets, unterminated records) up to hundreds of thousands of characters.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.discovery.analysis import analyze_page, jpage_links
from crawler.discovery.datalists import find_data_queries
from crawler.discovery.lists import find_jpage, parse_jpage_response
from crawler.discovery.pages import Page
from crawler.discovery.paging import find_paging
from crawler.discovery.urls import (
    canonicalize,
    host_of,
    is_attachment_url,
    is_skipped_url,
    looks_like_list,
    looks_like_trap,
    trap_key,
)
from crawler.reports.titles import has_report_body, link_score, parse_report_title

#: Seconds one call may take. Linear code takes well under a second here (seconds on a
#: machine shared by many test runs); the quadratic code this guards against took 14 s on
#: 20,000 characters and would take hours on these inputs, so the bound is generous yet sharp.
BOUND = 30.0
PAGE_URL = "http://x.gov.cn/col/col1/index.html"

#: Fragments that hostile pages repeat.
FRAGMENTS = st.sampled_from([
    "政", "年度报告", "(", "（", "'", '"', "dataproxy.jsp", "<record><![CDATA[", "]]>",
    "createPageHTML(", "countPage=", "%", "%2", "/..", ";jsessionid=", "?a=", "&", "<a href=",
    "<a href='x'>", "</a>", "<base href=", "<script>", "col:", "perpage:", " ", "\t", "-", "|",
    "2021年", "政府信息公开工作年度报告", "<", ">", "=", "\\", "\u3000", "\x00",
])
HOSTILE = st.builds(lambda parts, n: "".join(parts) * n,
                    st.lists(FRAGMENTS, min_size=1, max_size=4), st.integers(1, 60_000))
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


def _timed(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND, f"{function.__name__} took {elapsed:.1f} s on {len(str(args))} chars"
    return result


@SETTINGS
@given(HOSTILE)
def test_url_functions(text: str) -> None:
    url = "http://x.gov.cn/" + text
    for function in (canonicalize, host_of, is_attachment_url, is_skipped_url, looks_like_list,
                     looks_like_trap, trap_key):
        with contextlib.suppress(ValueError):  # a malformed URL may be refused, quickly
            _timed(function, url)


@SETTINGS
@given(HOSTILE)
def test_title_functions(text: str) -> None:
    _timed(parse_report_title, text)
    _timed(link_score, "http://x.gov.cn/" + text[:5000], text)
    _timed(has_report_body, text)


@SETTINGS
@given(HOSTILE)
def test_paging_and_list_adapters(text: str) -> None:
    script_page = Page(PAGE_URL, f"<html><body><script>{text}</script><div>{text}</div></body></html>")
    _timed(find_paging, script_page)
    _timed(find_data_queries, script_page)
    _timed(find_jpage, PAGE_URL, text)
    group = _timed(parse_jpage_response, text)
    assert len(group.records) <= 1000


@SETTINGS
@given(HOSTILE)
def test_page_functions(text: str) -> None:
    html = f"<html><head><title>{text[:20000]}</title></head><body>{text}</body></html>"
    page = _timed(Page, PAGE_URL, html)
    _timed(page.title_candidates)
    _timed(page.report_title)
    _timed(page.site_agency)
    links = _timed(page.links)
    assert len(links) <= page.max_links
    _timed(analyze_page, PAGE_URL, html.encode(), "utf-8")
    _timed(jpage_links, PAGE_URL, html.encode(), "utf-8")


@pytest.mark.parametrize(("name", "call"), [
    ("hanweb proxy in 1 M CJK chars", lambda: find_jpage(PAGE_URL, "政" * 1_000_000 + "dataproxy.jsp")),
    ("1 M CJK chars, no proxy", lambda: find_jpage(PAGE_URL, "政" * 1_000_000)),
    ("1 M opening brackets as a title", lambda: parse_report_title("(" * 1_000_000 + "年度报告")),
    ("unterminated records", lambda: parse_jpage_response("<record><![CDATA[x" * 200_000)),
    ("10 M-char line", lambda: analyze_page(PAGE_URL, ("年度报告政府信息公开" * 1_000_000).encode(), "utf-8")),
])
def test_known_worst_cases_are_fast(name: str, call: Callable[[], Any]) -> None:
    _timed(call)


def test_link_flood_is_capped_and_fast() -> None:
    html = "".join(f'<a href="/p/{i}.html">第{i}条</a>' for i in range(100_000))
    analysis = _timed(analyze_page, PAGE_URL, html.encode(), "utf-8", max_links=5000)
    assert len(analysis.links) == 5000 and analysis.links_dropped == 95_000
