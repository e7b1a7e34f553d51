"""A crawl of lists longer than ``GOVREPORTS_MAX_LIST_PAGES``: a counted list is read to its end a
window at a time (issue 9: at scale 250 the sample portal's 1,250-page news lists stopped at
page 500 plus what 下一页/上一页 links reached before ``DEPTH_LIMIT``), while a list whose pages
all bring the same links (a site ignoring the page number, claiming 999 pages) stops after its
first window; a list paged only by 下一页 links (no count) is read past ``DEPTH_LIMIT`` (12)
pages and past the window, every page of a list being as deep as its first.

The lists built by script are read to their end too: a Hanweb jpage list of more than 200
groups and a JSON data API of more than 200 pages (both stopped at 200, the jpage list at
``DEPTH_LIMIT`` groups before that), each holding a report in its last record; a jpage proxy
that ignores ``startrecord`` stops after its second group, a data list whose every page starts
with the same pinned record is not taken for one that ignores its page number. Past
``GOVREPORTS_LIST_PAGES_CEILING`` every kind of list is cut, counted and logged."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from crawler.settings import DEPTH_LIMIT
from crawler.settings import GOVREPORTS_MAX_LIST_PAGES as MAX_LIST_PAGES
from crawler.testbed.sample_portal.dynamic import jpage_answer
from crawler.testbed.sample_portal.pages import pager_links
from tests.http_helpers import QuietHandler, serving

pytestmark = pytest.mark.slow

#: Pages of the long list, the window asked at once, items per list page.
PAGES, WINDOW, ITEMS = 60, 10, 2
#: The page count the list that ignores its page number claims.
CLAIMED = 999
#: Pages of the list paged by 下一页 links alone: well past DEPTH_LIMIT.
NEXT_ONLY = 2 * DEPTH_LIMIT + 6
#: Groups of the long jpage list (``perPage:1``: groups of 3 records) and pages of the long data
#: API (one record a page): more than the 200 both stopped at.
JPAGE_GROUPS, GROUP, DATA_PAGES = 205, 3, 205
#: Pages of the data list whose every page starts with the same pinned record.
PINNED_PAGES = 5
#: The ceiling of the crawl that checks lists are cut there.
CEILING = 20
PROXY = "/module/web/jpage/dataproxy.jsp"
#: The reports in the last records of the long jpage list and the long data API.
JPAGE_REPORT, DATA_REPORT = "/files/jpage-2014nb.pdf", "/files/data-2013nb.pdf"

_CRAWL = """
import json, sys
from crawler.cli.main import LOCAL_SETTINGS
from crawler.run.runner import CrawlOptions, run_crawl
base, root, window, seed, ceiling = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
settings = dict(LOCAL_SETTINGS, GOVREPORTS_MAX_LIST_PAGES=window, GOVREPORTS_RENDER=False,
                GOVREPORTS_SITE_SEARCH=False, GOVREPORTS_PARSE=False)
if ceiling:
    settings["GOVREPORTS_LIST_PAGES_CEILING"] = ceiling
summary = run_crawl(CrawlOptions(seeds=[base + seed], db_url=f"sqlite:///{root}/a.db",
                                 archive_dir=f"{root}/archive", progress=False, settings=settings))
print(json.dumps({"status": summary.status, "reports": summary.reports_found}))
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


def _jpage_column(columnid: int) -> str:
    """A Hanweb column page: an empty div and the jpage script that fetches its records."""
    return _page("政务公开", f'<div id="div1{columnid}"></div><script type="text/javascript">'
                 f"var jpageParam = {{col:1,appid:1,webid:1,path:'/',columnid:{columnid},unitid:'1',"
                 "permissiontype:0};\n$(document).ready(function(){ $('#div1').jpage({"
                 f"dataUrl:'{PROXY}',perPage:1,groupSize:3,ajaxParam:jpageParam}});}});</script>")


def _jpage_records() -> list[str]:
    """The long jpage list's records, newest first: notices, then the 2014 report."""
    records = [f'<li><a href="/files/jpage-notice-{n}.pdf">通知公告第{n}号</a></li>'
               for n in range(JPAGE_GROUPS * GROUP - 1)]
    return records + [f'<li><a href="{JPAGE_REPORT}">某市人民政府2014年政府信息公开工作年度报告</a></li>']


_JPAGE_RECORDS = _jpage_records()


def _data_column(api: str) -> str:
    """A column page whose list a script fetches from the JSON API ``api``, a page at a time."""
    return _page("政策文件", '<ul id="list"></ul><script>function load(pageNo){ $.ajax({ url: '
                 f"'{api}', type: 'GET', dataType: 'json', data: {{channelId: 7, pageNo: pageNo, "
                 "pageSize: 1}, success: function(res){ render(res.data.list); } }); } load(1);</script>")


def _data_answer(pages: int, page: int, records: list[dict[str, str]]) -> str:
    return json.dumps({"code": 0, "data": {"total": pages, "pageNo": page, "pageSize": 1, "list": records}},
                      ensure_ascii=False)


def _data_page(page: int) -> str:
    """Page ``page`` of the long data API: one notice a page, the 2013 report on the last."""
    record = ({"title": "某市人民政府2013年政府信息公开工作年度报告", "url": DATA_REPORT} if page == DATA_PAGES
              else {"title": f"政策文件第{page}号", "url": f"/files/data-notice-{page}.pdf"})
    return _data_answer(DATA_PAGES, page, [record])


def _pinned_page(page: int) -> str:
    """Page ``page`` of a data API whose every page starts with the same pinned (置顶) record."""
    pinned = {"title": "置顶：政府信息公开指南", "url": "/pinned/guide.html"}
    return _data_answer(PINNED_PAGES, page, [pinned, {"title": f"公告公示第{page}号",
                                                      "url": f"/pinned/item_{page}.html"}])


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
        query = dict(parse_qsl(urlsplit(self.path).query))
        if path == "/":
            body = _page("首页", '<a href="/news/index.html">工作动态</a> '
                                 '<a href="/same/list.html">通知公告</a> '
                                 '<a href="/older/list.jsp">信息公开目录</a> '
                                 '<a href="/col/col1/index.html">政务公开</a> '
                                 '<a href="/col/col2/index.html">工作信息</a> '
                                 '<a href="/data/index.html">政策文件</a> '
                                 '<a href="/pinned/index.html">公告公示</a>')
        elif path.startswith("/col/col") and path.endswith("/index.html"):
            body = _jpage_column(int(path[len("/col/col"):-len("/index.html")]))
        elif path == "/data/index.html":
            body = _data_column("/data/api/list")
        elif path == "/pinned/index.html":
            body = _data_column("/pinned/api/list")
        elif path in ("/data/api/list", "/pinned/api/list"):
            page, pages = int(query.get("pageNo", "1")), DATA_PAGES if path.startswith("/data") else PINNED_PAGES
            if 1 <= page <= pages:
                text = _data_page(page) if path.startswith("/data") else _pinned_page(page)
                self.send_body(200, text, {"Content-Type": "application/json; charset=utf-8"})
                return
        elif path.startswith("/files/"):
            self.send_body(200, b"%PDF-1.4\n%%EOF\n", {"Content-Type": "application/pdf"})
            return
        elif path.startswith("/pinned/"):
            body = _page("公告", "<p>正文。</p>")
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

    def do_POST(self) -> None:  # noqa: N802
        """The jpage data proxy: column 1 answers the records asked for, column 2 always its
        first group (it ignores ``startrecord``, and its total claims 9,999 records)."""
        form = dict(parse_qsl(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()))
        self.log.append(f"{self.path}#columnid={form.get('columnid')}")
        query = parse_qs(urlsplit(self.path).query)
        start, end = int(query["startrecord"][0]), int(query["endrecord"][0])
        if urlsplit(self.path).path != PROXY:
            self.send_body(404, _page("404", "<p>页面不存在</p>"))
        elif form.get("columnid") == "1":
            self.send_body(200, jpage_answer(_JPAGE_RECORDS, start, end, PROXY, form), _XML)
        else:
            same = [f'<li><a href="/files/work-{n}.pdf">工作信息{n}</a></li>' for n in range(GROUP)]
            answer = jpage_answer(same, 1, GROUP, PROXY, form)
            self.send_body(200, answer.replace(b"<recordset>", b"<totalrecord>9999</totalrecord><recordset>"),
                           _XML)


_XML = {"Content-Type": "text/xml; charset=utf-8"}


@dataclass(frozen=True)
class Crawled:
    """What one crawl asked for (paths; jpage POSTs as ``path#columnid=N``), its logs (crawl
    and run log) and how many reports it found."""

    paths: list[str]
    log: str
    reports: int

    def jpage_groups(self, columnid: int) -> list[int]:
        """The groups of jpage column ``columnid`` asked for (1-based), in order."""
        return [(int(parse_qs(urlsplit(p).query)["startrecord"][0]) - 1) // GROUP + 1
                for p in self.paths if p.endswith(f"#columnid={columnid}")]

    def pages(self, path: str, param: str) -> set[int]:
        """The values of ``param`` with which ``path`` was asked for (1 when absent)."""
        return {int(parse_qs(urlsplit(p).query).get(param, ["1"])[0]) for p in self.paths
                if urlsplit(p).path == path}


def _crawl(tmp_path_factory: pytest.TempPathFactory, window: int, seed: str, ceiling: int = 0) -> Crawled:
    """A crawl from ``seed`` with ``window`` list pages at a time (and ``ceiling``, when set)."""
    log: list[str] = []
    with serving(type("H", (_Handler,), {"log": log})) as base:
        root = tmp_path_factory.mktemp("long-lists")
        result = subprocess.run([sys.executable, "-c", _CRAWL, base, str(root), str(window), seed,
                                 str(ceiling)], capture_output=True, text=True, timeout=400, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        assert summary["status"] == "completed"
        # the stats are dumped into crawl.log; the run log has the lines' fields
        logs = "".join(path.read_text(encoding="utf-8")
                       for path in sorted((Path(root) / "archive" / "logs").glob("*.log")))
        return Crawled(list(log), logs, summary["reports"])


@pytest.fixture(scope="module")
def crawled_lists(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """The crawl of every list from the home page, ``WINDOW`` pages at a time (one for the module)."""
    yield _crawl(tmp_path_factory, WINDOW, "/")


@pytest.fixture(scope="module")
def crawled(crawled_lists: Crawled) -> Iterator[list[str]]:
    """The paths that crawl asked for."""
    yield crawled_lists.paths


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
    asked = set(_crawl(tmp_path_factory, MAX_LIST_PAGES, "/older/").paths)
    pages = {"/older/list.jsp"} | {f"/older/list.jsp?pageNo={n}" for n in range(2, NEXT_ONLY + 1)}
    items = {f"/older/item_{n}_{k}.html" for n in range(1, NEXT_ONLY + 1) for k in range(ITEMS)}
    assert sorted(pages - asked) == [] and sorted(items - asked) == []


def test_a_list_paged_only_by_next_links_is_read_past_the_window(crawled: list[str]) -> None:
    # read WINDOW pages at a time, as the counted lists are: it stopped at page WINDOW
    asked = set(crawled)
    assert NEXT_ONLY > WINDOW
    pages = {"/older/list.jsp"} | {f"/older/list.jsp?pageNo={n}" for n in range(2, NEXT_ONLY + 1)}
    assert sorted(pages - asked) == []


def test_a_jpage_list_of_more_than_200_groups_is_read_to_its_end(crawled_lists: Crawled) -> None:
    # the group after the last (an empty answer) ends the list
    assert crawled_lists.jpage_groups(1) == list(range(1, JPAGE_GROUPS + 2))
    assert JPAGE_REPORT in crawled_lists.paths


def test_a_data_api_of_more_than_200_pages_is_read_to_its_end(crawled_lists: Crawled) -> None:
    assert crawled_lists.pages("/data/api/list", "pageNo") == set(range(1, DATA_PAGES + 1))
    assert DATA_REPORT in crawled_lists.paths
    assert crawled_lists.reports == 2  # the two reports in the lists' last records


def test_a_jpage_proxy_that_ignores_startrecord_stops_at_its_second_group(crawled_lists: Crawled) -> None:
    # the second group brings nothing the first did not have: the list is cut there, and said so
    assert crawled_lists.jpage_groups(2) == [1, 2]
    assert "'govreports/lists/cut/jpage/no_new_links': 1," in crawled_lists.log
    assert re.search(r"list cut kind=jpage reason=no_new_links url=\S+/col/col2/index.html page=2\n",
                     crawled_lists.log), crawled_lists.log[-3000:]


def test_a_pinned_first_record_is_not_a_repeated_page(crawled_lists: Crawled) -> None:
    assert crawled_lists.pages("/pinned/api/list", "pageNo") == set(range(1, PINNED_PAGES + 1))
    assert {f"/pinned/item_{n}.html" for n in range(1, PINNED_PAGES + 1)} <= set(crawled_lists.paths)


def test_every_kind_of_list_is_cut_at_the_ceiling_counted_and_logged(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    crawled = _crawl(tmp_path_factory, WINDOW, "/", ceiling=CEILING)
    assert crawled.jpage_groups(1) == list(range(1, CEILING + 1))
    assert crawled.pages("/data/api/list", "pageNo") == set(range(1, CEILING + 1))
    # past the ceiling a pager's links are ordinary links, followed to DEPTH_LIMIT: some pages
    # of the 60-page list are never reached
    news = {p for p in crawled.paths if p.startswith("/news/index_")}
    assert CEILING + DEPTH_LIMIT < PAGES - DEPTH_LIMIT and len(news) < PAGES - 1
    for kind, url in (("jpage", "/col/col1/index.html"), ("datalist", "/data/index.html"),
                      ("paging", f"/older/list.jsp?pageNo={CEILING}"), ("paging", "/news/index_")):
        assert re.search(rf"list cut kind={kind} reason=ceiling url=\S+{re.escape(url)}\S* page={CEILING}\n",
                         crawled.log), (kind, url, crawled.log[-3000:])
    for kind, cut in (("jpage", 1), ("datalist", 1), ("paging", 2)):
        assert f"'govreports/lists/cut/{kind}/ceiling': {cut}," in crawled.log
