"""A crawl of lists longer than ``GOVREPORTS_MAX_LIST_PAGES``: a counted list is read to its end a
window at a time (issue 9: at scale 250 the sample portal's 1,250-page news lists stopped at
page 500 plus what 下一页/上一页 links reached before ``DEPTH_LIMIT``), while a list whose pages
all bring the same links (a site ignoring the page number, claiming 999 pages) stops after its
first window; a list paged only by 下一页 links (no count) is read past ``DEPTH_LIMIT`` (12)
pages, every page of a list being as deep as its first."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.settings import DEPTH_LIMIT
from crawler.settings import GOVREPORTS_MAX_LIST_PAGES as MAX_LIST_PAGES
from crawler.testbed.sample_portal.pages import pager_links
from tests.http_helpers import QuietHandler, serving

pytestmark = pytest.mark.slow

#: Pages of the long list, the window asked at once, items per list page.
PAGES, WINDOW, ITEMS = 60, 10, 2
#: The page count the list that ignores its page number claims.
CLAIMED = 999
#: Pages of the list paged by 下一页 links alone: well past DEPTH_LIMIT.
NEXT_ONLY = 2 * DEPTH_LIMIT + 6

_CRAWL = """
import json, sys
from crawler.cli.main import LOCAL_SETTINGS
from crawler.run.runner import CrawlOptions, run_crawl
base, root, window, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
settings = dict(LOCAL_SETTINGS, GOVREPORTS_MAX_LIST_PAGES=window, GOVREPORTS_RENDER=False,
                GOVREPORTS_SITE_SEARCH=False)
summary = run_crawl(CrawlOptions(seeds=[base + seed], db_url=f"sqlite:///{root}/a.db",
                                 archive_dir=f"{root}/archive", progress=False, settings=settings))
print(json.dumps({"status": summary.status}))
"""


def _page(title: str, body: str) -> str:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h2>{title}</h2>{body}</body></html>")


def _news_page(index: int) -> str:
    items = "".join(f'<li><a href="/news/item_{index}_{k}.html">工作动态{index}-{k}</a></li>'
                    for k in range(ITEMS))
    return _page("工作动态", f"<ul>{items}</ul>{pager_links('index', PAGES, index)}")


def _next_only_page(number: int) -> str:
    """Page ``number`` (1-based) of a list that states no count and links only the next page."""
    items = "".join(f'<li><a href="/older/item_{number}_{k}.html">信息公开{number}-{k}</a></li>'
                    for k in range(ITEMS))
    pager = f'<a href="list.jsp?pageNo={number + 1}">下一页</a>' if number < NEXT_ONLY else ""
    return _page("信息公开目录", f"<ul>{items}</ul><div>{pager}</div>")


_SAME_LIST = _page("通知公告", '<ul><li><a href="/same/a.html">通知一</a></li>'
                   '<li><a href="/same/b.html">通知二</a></li></ul>'
                   f'<div>共{CLAIMED}页 <a href="list.html?page=2">下一页</a> '
                   f'<a href="list.html?page={CLAIMED}">尾页</a></div>')


class _Handler(QuietHandler):
    log: list[str]

    def do_GET(self) -> None:  # noqa: N802
        self.log.append(self.path)
        path = urlsplit(self.path).path
        body: str | None = None
        if path == "/":
            body = _page("首页", '<a href="/news/index.html">工作动态</a> '
                                 '<a href="/same/list.html">通知公告</a>')
        elif path == "/older/":
            body = _page("信息公开", '<a href="/older/list.jsp">信息公开目录</a>')
        elif path == "/news/index.html":
            body = _news_page(0)
        elif path.startswith("/news/index_") and path.endswith(".html"):
            index = int(path[len("/news/index_"):-len(".html")])
            body = _news_page(index) if 0 < index < PAGES else None
        elif path.startswith(("/news/item_", "/same/")) and path != "/same/list.html":
            body = _page("动态", "<p>正文。</p>")
        elif path == "/same/list.html":
            body = _SAME_LIST  # whatever ?page= says
        elif path == "/older/list.jsp":
            number = int(parse_qs(urlsplit(self.path).query).get("pageNo", ["1"])[0])
            body = _next_only_page(number) if 1 <= number <= NEXT_ONLY else None
        elif path.startswith("/older/item_"):
            body = _page("信息", "<p>正文。</p>")
        if body is None:
            self.send_body(404, _page("404", "<p>页面不存在</p>"))
        else:
            self.send_body(200, body)


def _crawl(tmp_path_factory: pytest.TempPathFactory, window: int, seed: str) -> list[str]:
    """The paths a crawl from ``seed`` asked for, with ``window`` list pages at a time."""
    log: list[str] = []
    with serving(type("H", (_Handler,), {"log": log})) as base:
        root = tmp_path_factory.mktemp("long-lists")
        result = subprocess.run([sys.executable, "-c", _CRAWL, base, str(root), str(window), seed],
                                capture_output=True, text=True, timeout=240, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
        assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == "completed"
        return list(log)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """The paths the crawl of the counted lists asked for (one crawl for the module)."""
    yield _crawl(tmp_path_factory, WINDOW, "/")


def test_a_counted_list_is_read_to_its_end(crawled: list[str]) -> None:
    asked = set(crawled)
    pages = {"/news/index.html"} | {f"/news/index_{i}.html" for i in range(1, PAGES)}
    items = {f"/news/item_{i}_{k}.html" for i in range(PAGES) for k in range(ITEMS)}
    assert sorted(pages - asked) == [] and sorted(items - asked) == []


def test_a_list_that_ignores_its_page_number_stops_after_one_window(crawled: list[str]) -> None:
    numbers = sorted(int(parse_qs(urlsplit(p).query)["page"][0]) for p in set(crawled)
                     if p.startswith("/same/list.html?"))
    # its first window (pages 2..WINDOW, asked from page 1), and the pages its 尾页 link's page
    # names (its own window: 991..999); nothing in between
    assert numbers and max(n for n in numbers if n < 900) <= WINDOW, numbers
    assert all(n <= WINDOW or n > CLAIMED - WINDOW for n in numbers), numbers


def test_a_list_paged_only_by_next_links_is_read_past_the_depth_limit(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    asked = set(_crawl(tmp_path_factory, MAX_LIST_PAGES, "/older/"))
    pages = {"/older/list.jsp"} | {f"/older/list.jsp?pageNo={n}" for n in range(2, NEXT_ONLY + 1)}
    items = {f"/older/item_{n}_{k}.html" for n in range(1, NEXT_ONLY + 1) for k in range(ITEMS)}
    assert sorted(pages - asked) == [] and sorted(items - asked) == []
