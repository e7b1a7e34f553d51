"""A JSON-list CMS: column pages are empty in HTML and filled by scripts from data APIs.

* ``/xxgk/nb/index.html`` fills its list with ``$.ajax`` from ``/api/v1/articles`` (GET,
  ``channelId``/``pageNo``/``pageSize``), answered as ``{"data": {"total", "pageNo",
  "pageSize", "rows": [{"articleTitle", "articleUrl", "publishTime"}]}}``; every API page
  answers ``429 Too Many Requests`` with ``Retry-After: 1`` the first time it is asked.
* ``/zwgk/ztbg/index.html`` builds its list from an encoded array in its own script
  (``atob`` + ``createElement``): no data request to call, only a browser sees the links.
* ``/zwgk/bmwj/index.html`` asks ``$.getJSON('/interface/list.jsp?columnId=' + columnId +
  '&page=' + page + '&callback=?')`` (JSONP) whose rows carry only ``id`` and ``title``: the
  page's script builds the link (``'/zwgk/bmwj/detail.jsp?id=' + item.id``).
"""

from __future__ import annotations

import base64
import datetime
import json
import random
from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from crawler.testbed.reportgen import GeneratedReport
from crawler.testbed.sample_portal.builder import BUILT_ON, SiteBuilder, epoch
from crawler.testbed.sample_portal.detail import place_notice, place_report
from crawler.testbed.sample_portal.model import Resource, SiteModel
from crawler.testbed.sample_portal.pages import Link, link_list, page

MakeReport = Callable[[str, int], GeneratedReport]
PAGE_SIZE = 5
CHANNEL, COLUMN_ID = "1021", "88"
NAV = (
    Link("/index.html", "首页"),
    Link("/xxgk/nb/index.html", "政府信息公开年报"),
    Link("/zwgk/bmwj/index.html", "部门文件"),
    Link("/zwgk/ztbg/index.html", "专题报告"),
)
#: (agency index, year, form, column) of each report.
PLAN: tuple[tuple[int, int, str, str], ...] = (
    (0, 2022, "inline", "ajax"),
    (1, 2023, "pdf", "ajax"),
    (2, 2019, "inline", "ajax"),
    (0, 2023, "pdf", "ajax"),
    (1, 2022, "inline", "jsonp"),
    (2, 2024, "inline", "jsonp"),
    (0, 2024, "inline", "script-only"),
)


def build_jsoncms(rng: random.Random, *, agencies: Sequence[str], make_report: MakeReport) -> SiteModel:
    """The site of ``agencies[0]``, carrying reports of all ``agencies``."""
    site = SiteModel(name="jsoncms", title=f"{agencies[0]}门户网站", agencies=list(agencies))
    b = SiteBuilder(site)
    ajax: list[Link] = []
    jsonp: list[tuple[int, Link]] = []
    scripted: list[Link] = []
    for n in range(6):
        ajax.append(place_notice(b, rng, agencies[n % len(agencies)], 2020 + n % 4,
                                 f"/xxgk/tz/{n}.html", nav=NAV))
    for number, (who, year, form, column) in enumerate(PLAN):
        report = make_report(agencies[who], year)
        if column == "ajax":
            path = f"/xxgk/nb/{year}/{report.published_on:%m%d}/art_{number}.html"
            ajax.append(place_report(b, report, path, form, nav=NAV, how="data-api"))
        elif column == "script-only":
            path = f"/zwgk/ztbg/{year}/art_{number}.html"
            scripted.append(place_report(b, report, path, form, nav=NAV, how="rendered"))
        else:
            doc_id = 5000 + number
            path = f"/zwgk/bmwj/detail.jsp?id={doc_id}"
            jsonp.append((doc_id, place_report(b, report, path, "inline", nav=NAV, how="jsonp")))
    rng.shuffle(ajax)
    site.listings["/xxgk/nb/"] = ajax
    site.listings["/zwgk/bmwj/"] = [link for _, link in jsonp]
    _ajax_column(b, ajax)
    _jsonp_column(b, jsonp)
    site.listings["/zwgk/ztbg/"] = scripted
    _script_only_column(b, scripted + [place_notice(b, rng, agencies[1], 2023, "/zwgk/ztbg/tz/1.html",
                                                    nav=NAV)])
    home = page(site.title, "<h2>首页</h2>\n" + link_list(NAV[1:]), nav=NAV, site_title=site.title)
    b.html("/", home)
    b.html("/index.html", home)
    b.file("/robots.txt", b"User-agent: *\nDisallow:\n", "text/plain", modified=datetime.date(2023, 1, 1))
    return site


def _json(b: SiteBuilder, key: str, data: object, *, content_type: str = "application/json;charset=UTF-8",
          callback: str | None = None, throttled: bool = False) -> None:
    text = json.dumps(data, ensure_ascii=False)
    if callback:
        text = f"{callback}({text});"
    b.add(key, Resource(text.encode("utf-8"), 200, (("Content-Type", content_type),),
                        behaviour="throttled" if throttled else "cacheable", amount=1 if throttled else 0,
                        last_modified=0.0 if throttled else epoch(BUILT_ON)))


def _ajax_column(b: SiteBuilder, entries: list[Link]) -> None:
    script = (
        '<ul id="list" class="list"></ul><div id="pager"></div>\n<script type="text/javascript">\n'
        f'var channelId = "{CHANNEL}";\nvar pageSize = {PAGE_SIZE};\n'
        "function loadList(pageNo){\n"
        '  $.ajax({ url: "/api/v1/articles", type: "GET", dataType: "json",\n'
        "    data: {channelId: channelId, pageNo: pageNo, pageSize: pageSize},\n"
        "    success: function(res){ var html = '';\n"
        "      $.each(res.data.rows, function(i, item){ html += '<li><a href=\"' + item.articleUrl + '\">'"
        " + item.articleTitle + '</a><span>' + item.publishTime + '</span></li>'; });\n"
        "      $('#list').html(html); } });\n}\nloadList(1);\n</script>")
    b.html("/xxgk/nb/index.html", page("政府信息公开年报", "<h2>政府信息公开年报</h2>\n" + script, nav=NAV,
                                       site_title=b.site.title))
    pages = max(1, -(-len(entries) // PAGE_SIZE))
    for k in range(1, pages + 1):
        rows = [{"articleId": 100 + i, "articleTitle": link.text, "articleUrl": link.href,
                 "publishTime": f"{link.date} 09:00:00"}
                for i, link in enumerate(entries[(k - 1) * PAGE_SIZE:k * PAGE_SIZE])]
        params = sorted([("channelId", CHANNEL), ("pageNo", str(k)), ("pageSize", str(PAGE_SIZE))])
        _json(b, "/api/v1/articles?" + urlencode(params),
              {"code": 200, "msg": "success", "data": {"total": len(entries), "pageNo": k,
                                                       "pageSize": PAGE_SIZE, "rows": rows}},
              throttled=True)


def _jsonp_column(b: SiteBuilder, entries: list[tuple[int, Link]]) -> None:
    script = (
        '<ul id="list"></ul>\n<script type="text/javascript">\n'
        f"var columnId = '{COLUMN_ID}';\n"
        "function getList(page){\n"
        "  $.getJSON('/interface/list.jsp?columnId=' + columnId + '&page=' + page + '&callback=?', function(res){\n"
        "    var html = '';\n"
        "    $.each(res.rows, function(i, item){ html += '<li><a href=\"/zwgk/bmwj/detail.jsp?id=' + item.id"
        " + '\">' + item.title + '</a></li>'; });\n"
        "    $('#list').html(html);\n  });\n}\ngetList(1);\n</script>")
    b.html("/zwgk/bmwj/index.html", page("部门文件", "<h2>部门文件</h2>\n" + script, nav=NAV,
                                         site_title=b.site.title))
    per_page = 1
    for k in range(1, len(entries) + 1):
        rows = [{"id": doc_id, "title": link.text, "date": link.date}
                for doc_id, link in entries[(k - 1) * per_page:k * per_page]]
        params = sorted([("callback", "?"), ("columnId", COLUMN_ID), ("page", str(k))])
        _json(b, "/interface/list.jsp?" + urlencode(params), {"rows": rows, "totalPage": len(entries)},
              content_type="application/javascript;charset=UTF-8", callback="jQuery1830_1700000000")


def _script_only_column(b: SiteBuilder, entries: list[Link]) -> None:
    """A list drawn by the page's script from an encoded array (only a browser sees it)."""
    data = json.dumps([{"t": link.text, "u": link.href, "d": link.date} for link in entries],
                      ensure_ascii=False)
    encoded = base64.b64encode(data.encode("utf-8")).decode("ascii")
    script = (
        '<div class="list-box"><ul id="docList" class="doc-list"></ul></div>\n<script type="text/javascript">\n'
        f'var _d = "{encoded}";\n'
        "var items = JSON.parse(decodeURIComponent(escape(atob(_d))));\n"
        "var ul = document.getElementById('docList');\n"
        "for (var i = 0; i < items.length; i++) {\n"
        "  var li = document.createElement('li');\n"
        "  li.innerHTML = '<a href=\"' + items[i].u + '\">' + items[i].t + '</a><span>' + items[i].d + '</span>';\n"
        "  ul.appendChild(li);\n}\n</script>")
    b.html("/zwgk/ztbg/index.html", page("专题报告", "<h2>专题报告</h2>\n" + script, nav=NAV,
                                         site_title=b.site.title))
