"""A site whose report columns page in the spellings real portals use, and whose search finds
a report that no column lists.

Columns (reports sit on later pages only, so a crawler that cannot page misses them):

* ``/xxgk/ndbg/index.shtml``: TRS ``createPageHTML(countPage, currentPage, "index", "shtml")``
  with ``var countPage``: no ``<a>`` to other pages;
* ``/bmgk/list.jsp?cid=12``: ``&page=N`` links (下一页/尾页) with "共N页 当前第x页";
* ``/gkml/nb/index.html``: only "共N页" text (the pager bar is drawn by an external script);
  pages ``index_2.html``, ``index_3.html`` numbered from 1 (the report is on page 3);
* ``/zfxxgk/nb/list.html``: kkpager (``hrefFormer: 'list'``, ``hrefLatter: '.html'``);
* ``/zwgk/gzbg/``: laypage with ``location.href = "?page=" + obj.curr``.

The home page has a GET search form (``/search/index.html?searchword=``) whose results, two
pages of them, lead to a report linked from nowhere else.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Callable, Sequence
from html import escape
from urllib.parse import quote, urlencode

from crawler.testbed.reportgen import GeneratedReport
from crawler.testbed.sample_portal.builder import SiteBuilder
from crawler.testbed.sample_portal.detail import place_notice, place_report
from crawler.testbed.sample_portal.model import SiteModel
from crawler.testbed.sample_portal.pages import Link, link_list, page

MakeReport = Callable[[str, int], GeneratedReport]
PER_PAGE = 3
#: Words the site's search answers for (what a crawler asks a portal's search).
SEARCH_TERMS = ("政府信息公开工作年度报告", "年度报告")
NAV = (
    Link("/index.html", "首页"),
    Link("/xxgk/ndbg/index.shtml", "年度报告"),
    Link("/bmgk/list.jsp?cid=12", "部门公开"),
    Link("/gkml/nb/index.html", "公开目录"),
    Link("/zfxxgk/nb/list.html", "信息公开年报"),
    Link("/zwgk/gzbg/", "工作报告"),
)
#: (agency index, year, form, column) of each report; column "search" is linked from nowhere.
PLAN: tuple[tuple[int, int, str, str], ...] = (
    (0, 2019, "inline", "trs-shtml"),
    (1, 2020, "pdf", "trs-shtml"),
    (2, 2021, "inline", "query-links"),
    (0, 2020, "pdf", "text-only"),
    (1, 2021, "inline", "kkpager"),
    (2, 2022, "pdf", "laypage"),
    (0, 2021, "inline", "search"),
)
_FOLDERS = {"trs-shtml": "/xxgk/ndbg/", "query-links": "/bmgk/", "text-only": "/gkml/nb/",
            "kkpager": "/zfxxgk/nb/", "laypage": "/zwgk/gzbg/", "search": "/xxgk/qt/"}


def build_paged(rng: random.Random, *, agencies: Sequence[str], make_report: MakeReport) -> SiteModel:
    """The site of ``agencies[0]``, carrying reports of all ``agencies``."""
    site = SiteModel(name="paged", title=f"{agencies[0]}政府信息公开网", agencies=list(agencies))
    b = SiteBuilder(site)
    columns: dict[str, list[Link]] = {name: [] for name in _FOLDERS}
    for column, folder in _FOLDERS.items():
        if column == "search":
            continue
        # a first page of notices (two for the text-only column, so its guessed series must
        # go on from page to page): the reports are only on the pages after them
        for n in range(PER_PAGE * (2 if column == "text-only" else 1)):
            columns[column].append(place_notice(b, rng, agencies[n % len(agencies)], 2021 + n % 3,
                                                f"{folder}tz/{column}_{n}.html", nav=NAV))
    for number, (who, year, form, column) in enumerate(PLAN):
        report = make_report(agencies[who], year)
        path = f"{_FOLDERS[column]}{year}/{report.published_on:%m%d}/art_{number}.html"
        columns[column].append(place_report(b, report, path, form, nav=NAV, how=column))
    for column, entries in columns.items():
        site.listings[_FOLDERS[column]] = entries
    _trs_shtml(b, columns["trs-shtml"])
    _query_links(b, columns["query-links"])
    _text_only(b, columns["text-only"])
    _kkpager(b, columns["kkpager"])
    _laypage(b, columns["laypage"])
    _search(b, columns["search"] + columns["trs-shtml"][:2])
    home = page(site.title, _search_form() + "<h2>信息公开</h2>\n" + link_list(NAV[1:]), nav=NAV,
                site_title=site.title)
    b.html("/", home)
    b.html("/index.html", home)
    b.file("/js/pagebar.js", b"/* draws the pager bar from the page's countPage */\n",
           "application/javascript", modified=datetime.date(2023, 1, 1))
    b.file("/robots.txt", b"User-agent: *\nDisallow:\n", "text/plain", modified=datetime.date(2023, 1, 1))
    return site


def _chunks(entries: list[Link]) -> list[list[Link]]:
    return [entries[i:i + PER_PAGE] for i in range(0, len(entries), PER_PAGE)]


def _list_page(b: SiteBuilder, path: str, title: str, chunk: list[Link], pager: str) -> None:
    b.html(path, page(title, f"<h2>{escape(title)}</h2>\n{link_list(chunk)}\n{pager}", nav=NAV,
                      site_title=b.site.title))


def _trs_shtml(b: SiteBuilder, entries: list[Link]) -> None:
    pages = _chunks(entries)
    for i, chunk in enumerate(pages):
        script = ('<div class="page"><script type="text/javascript">\n'
                  f"var countPage = {len(pages)}//共多少页\nvar currentPage = {i}//所在页从0开始\n"
                  'createPageHTML(countPage, currentPage, "index", "shtml");\n</script></div>')
        name = "index.shtml" if i == 0 else f"index_{i}.shtml"
        _list_page(b, f"/xxgk/ndbg/{name}", "年度报告", chunk, script)


def _query_links(b: SiteBuilder, entries: list[Link]) -> None:
    pages = _chunks(entries)
    for k, chunk in enumerate(pages, start=1):
        links = [f"共{len(pages)}页 当前第{k}页"]
        if k < len(pages):
            links.append(f'<a href="list.jsp?cid=12&amp;page={k + 1}">下一页</a>')
        links.append(f'<a href="list.jsp?cid=12&amp;page={len(pages)}">尾页</a>')
        pager = '<div class="fenye">' + " ".join(links) + "</div>"
        _list_page(b, f"/bmgk/list.jsp?cid=12&page={k}", "部门公开", chunk, pager)
        if k == 1:
            _list_page(b, "/bmgk/list.jsp?cid=12", "部门公开", chunk, pager)


def _text_only(b: SiteBuilder, entries: list[Link]) -> None:
    pages = _chunks(entries)
    for k, chunk in enumerate(pages, start=1):
        pager = (f'<div class="page">共{len(pages)}页 <span id="pagebar"></span>'
                 '<script src="/js/pagebar.js"></script></div>')
        name = "index.html" if k == 1 else f"index_{k}.html"
        _list_page(b, f"/gkml/nb/{name}", "公开目录", chunk, pager)


def _kkpager(b: SiteBuilder, entries: list[Link]) -> None:
    pages = _chunks(entries)
    for k, chunk in enumerate(pages, start=1):
        script = ('<div id="kkpager"></div><script type="text/javascript">\n'
                  f"var totalPage = {len(pages)};\nvar totalRecords = {len(entries)};\n"
                  f"var pageNo = {k};\n"
                  "kkpager.generPageHtml({ pno : pageNo, total : totalPage, totalRecords : totalRecords,\n"
                  "  hrefFormer : 'list', hrefLatter : '.html' });\n</script>")
        name = "list.html" if k == 1 else f"list_{k}.html"
        _list_page(b, f"/zfxxgk/nb/{name}", "信息公开年报", chunk, script)


def _laypage(b: SiteBuilder, entries: list[Link]) -> None:
    pages = _chunks(entries)
    for k, chunk in enumerate(pages, start=1):
        script = ('<div id="pager"></div><script>\nlayui.use("laypage", function(){\n'
                  "  layui.laypage.render({ elem: 'pager', count: " + str(len(entries))
                  + f", limit: {PER_PAGE}, curr: {k},\n"
                  '    jump: function(obj, first){ if(!first){ location.href = "?page=" + obj.curr; } } });\n'
                  "});\n</script>")
        _list_page(b, f"/zwgk/gzbg/?page={k}", "工作报告", chunk, script)
        if k == 1:
            _list_page(b, "/zwgk/gzbg/", "工作报告", chunk, script)


def _search_form() -> str:
    return ('<form action="/search/index.html" method="get" class="search">'
            '<input type="hidden" name="siteid" value="7">'
            '<input type="text" name="searchword" placeholder="请输入关键词">'
            '<input type="submit" value="搜索"></form>\n')


def _search(b: SiteBuilder, results: list[Link]) -> None:
    """Result pages for the search words: page 1 has the listed reports, page 2 the hidden one."""
    hidden, listed = results[:1], results[1:]
    for term in SEARCH_TERMS:
        first = [("searchword", term), ("siteid", "7")]
        for k, chunk in ((1, listed), (2, hidden)):
            params = sorted(first + ([("page", str(k))] if k > 1 else []))
            pager = ""
            if k == 1:
                pager = (f'<div class="page">共2页 <a href="index.html?siteid=7&amp;searchword={quote(term)}'
                         '&amp;page=2">下一页</a></div>')
            body = (f"<h2>搜索结果：{escape(term)}</h2>\n{link_list(chunk)}\n{pager}\n"
                    f"<script>var searchInfo = {json.dumps({'total': len(results)})};</script>")
            b.html("/search/index.html?" + urlencode(params), page("搜索结果", body, nav=NAV,
                                                                  site_title=b.site.title))
