"""A crawl of lists longer than ``GOVREPORTS_MAX_LIST_PAGES``: a counted list is read to its end a
window at a time (issue 9: at scale 250 the sample portal's 1,250-page news lists stopped at
page 500 plus what 下一页/上一页 links reached before ``DEPTH_LIMIT``), while a list whose pages
all bring the same links (a site ignoring the page number, claiming 999 pages) stops after its
first window."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.slow

#: Pages of the long list, the window asked at once, items per list page.
PAGES, WINDOW, ITEMS = 60, 10, 2
#: The page count the list that ignores its page number claims.
CLAIMED = 999

_CRAWL = """
import json, sys
from crawler.cli.main import LOCAL_SETTINGS
from crawler.run.runner import CrawlOptions, run_crawl
base, root, window = sys.argv[1], sys.argv[2], int(sys.argv[3])
settings = dict(LOCAL_SETTINGS, GOVREPORTS_MAX_LIST_PAGES=window, GOVREPORTS_RENDER=False,
                GOVREPORTS_SITE_SEARCH=False)
summary = run_crawl(CrawlOptions(seeds=[base + "/"], db_url=f"sqlite:///{root}/a.db",
                                 archive_dir=f"{root}/archive", progress=False, settings=settings))
print(json.dumps({"status": summary.status}))
"""


def _page(title: str, body: str) -> str:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h2>{title}</h2>{body}</body></html>")


def _pager(count: int, current: int) -> str:
    """The sample portal's noise-list pager: 共N页 首页 上一页 下一页 尾页 (0-based ``current``)."""
    def name(i: int) -> str:
        return "index.html" if i == 0 else f"index_{i}.html"

    parts = [f'<a href="{name(0)}">首页</a>']
    if current > 0:
        parts.append(f'<a href="{name(current - 1)}">上一页</a>')
    if current < count - 1:
        parts.append(f'<a href="{name(current + 1)}">下一页</a>')
    parts.append(f'<a href="{name(count - 1)}">尾页</a>')
    return f'<div class="page">共{count}页 ' + " ".join(parts) + "</div>"


def _news_page(index: int) -> str:
    items = "".join(f'<li><a href="/news/item_{index}_{k}.html">工作动态{index}-{k}</a></li>'
                    for k in range(ITEMS))
    return _page("工作动态", f"<ul>{items}</ul>{_pager(PAGES, index)}")


_SAME_LIST = _page("通知公告", '<ul><li><a href="/same/a.html">通知一</a></li>'
                   '<li><a href="/same/b.html">通知二</a></li></ul>'
                   f'<div>共{CLAIMED}页 <a href="list.html?page=2">下一页</a> '
                   f'<a href="list.html?page={CLAIMED}">尾页</a></div>')


class _Handler(BaseHTTPRequestHandler):
    log: list[str]

    def do_GET(self) -> None:  # noqa: N802
        self.log.append(self.path)
        path = urlsplit(self.path).path
        body: str | None = None
        if path == "/":
            body = _page("首页", '<a href="/news/index.html">工作动态</a> '
                                 '<a href="/same/list.html">通知公告</a>')
        elif path == "/news/index.html":
            body = _news_page(0)
        elif path.startswith("/news/index_") and path.endswith(".html"):
            index = int(path[len("/news/index_"):-len(".html")])
            body = _news_page(index) if 0 < index < PAGES else None
        elif path.startswith(("/news/item_", "/same/")) and path != "/same/list.html":
            body = _page("动态", "<p>正文。</p>")
        elif path == "/same/list.html":
            body = _SAME_LIST  # whatever ?page= says
        if body is None:
            self._send(404, _page("404", "<p>页面不存在</p>"))
        else:
            self._send(200, body)

    def _send(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """The paths the crawl asked for (one crawl for the module)."""
    log: list[str] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Handler,), {"log": log}))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        root = tmp_path_factory.mktemp("long-lists")
        result = subprocess.run([sys.executable, "-c", _CRAWL, base, str(root), str(WINDOW)],
                                capture_output=True, text=True, timeout=240, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
        assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == "completed"
        yield list(log)
    finally:
        httpd.shutdown()
        httpd.server_close()


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
