"""The TRS WCM style site: GBK pages, ``createPageHTML`` paging, tYYYYMMDD_N detail pages."""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable, Sequence
from html import escape

from crawler.testbed.reportgen import GeneratedReport, render_html
from crawler.testbed.sample_portal.builder import SiteBuilder
from crawler.testbed.sample_portal.documents import render_attachment
from crawler.testbed.sample_portal.model import PlacedReport, SiteModel
from crawler.testbed.sample_portal.noise import add_news_column, add_traps, notice_page, random_day
from crawler.testbed.sample_portal.pages import (
    Link,
    article,
    attachment_block,
    create_page_script,
    link_list,
    page,
    without,
)

MakeReport = Callable[[str, int], GeneratedReport]
COLUMN = "/zwgk/zfxxgknb/"
PER_PAGE = 5
#: (year, form) of each report placed on the site; see :func:`_place`.
PLAN: tuple[tuple[int, str], ...] = (
    (2019, "inline"),
    (2020, "pdf"),
    (2021, "inline+pdf"),
    (2022, "inline-undeclared"),
    (2023, "pdf-meta-only"),
    (2024, "inline-meta-only"),
    (2020, "robots"),
    (2021, "dead-attachment"),
)
NAV = (
    Link("/index.html", "首页"),
    Link("/zwgk/index.html", "政务公开"),
    Link("/xwzx/index.html", "新闻中心"),
    Link("/zwgk/tzgg/index.html", "通知公告"),
)


def build_trs(
    rng: random.Random, *, agencies: Sequence[str], make_report: MakeReport, scale: int,
    slow_seconds: float,
) -> SiteModel:
    """The site of ``agencies[0]`` (its government), carrying reports of all ``agencies``."""
    site = SiteModel(name="trs", title=f"{agencies[0]}门户网站", agencies=list(agencies))
    b = SiteBuilder(site, encoding="gbk")
    entries: list[Link] = []
    used_ids: set[int] = set()
    for i, (year, form) in enumerate(PLAN):
        report = make_report(agencies[i % len(agencies)], year)
        entry = _place(b, rng, report, form, used_ids)
        if entry is not None:
            entries.append(entry)
    for year in (2020, 2021, 2023):
        entries.append(_notice(b, rng, agencies[0], year, used_ids, wrong_encoding=year == 2021))
    site.listings[COLUMN] = entries
    _column_pages(b, entries)
    add_news_column(b, rng, folder="/xwzx/", name="新闻中心", count=100 * scale, agencies=agencies,
                    detail_path=lambda d, n: f"/xwzx/{d:%Y%m}/t{d:%Y%m%d}_{n}.html", nav=NAV,
                    charset="gb2312", header_charset=None)
    _notices_column(b, rng, agencies, used_ids)
    traps = add_traps(b, slow_seconds=slow_seconds, charset="gbk", nav=NAV)
    _challenges(b)
    b.redirect("/zfxxgk/nb/index.html", COLUMN + "index.html", 301)
    b.html("/zwgk/index.html", page("政务公开", _zwgk_body(), charset="gbk", nav=NAV,
                                    site_title=site.title))
    _home(b, traps)
    _robots(b)
    return site


def _detail_path(day: datetime.date, used: set[int], rng: random.Random, folder: str = COLUMN) -> str:
    number = rng.randrange(10**6, 10**7)
    while number in used:
        number = rng.randrange(10**6, 10**7)
    used.add(number)
    return f"{folder}{day:%Y%m}/t{day:%Y%m%d}_{number}.html"


def _meta(title: str, day: datetime.date, source: str) -> dict[str, str]:
    return {"ArticleTitle": title, "PubDate": f"{day.isoformat()} 09:00", "ContentSource": source}


def _place(b: SiteBuilder, rng: random.Random, report: GeneratedReport, form: str,
           used_ids: set[int]) -> Link | None:
    """Serve one report in ``form``; the list entry to show, None when not listed in the column."""
    day = report.published_on
    folder = "/nbbak/" if form == "robots" else COLUMN
    path = _detail_path(day, used_ids, rng, folder)
    directory = path.rsplit("/", 1)[0] + "/"
    inline = form.startswith("inline")
    placed = PlacedReport(report, [], form=form, pages=[path])
    attachments: list[Link] = []
    if not inline or form == "inline+pdf":
        name = f"P0{day:%Y%m%d}{rng.randrange(10**11, 10**12)}.pdf"
        attachments.append(Link(f"./{name}", f"{report.title}.pdf"))
        if form == "dead-attachment":
            placed.excluded = "attachment is missing (404)"
        else:
            doc = render_attachment(report, "pdf")
            b.file(directory + name, doc.body, doc.content_type, modified=day)
            placed.paths.append(directory + name)
    content = render_html(report) if inline else f"<p>{escape(report.title)}详见附件。</p>"
    charset: str | None = "gb2312" if form == "inline" else "gbk"
    header: str | None = "site"
    if form == "inline-undeclared":
        charset = header = None
    elif form.endswith("meta-only"):
        header = None
    body = article(report.title, day.isoformat(), report.agency, content,
                   attachment_block(attachments) if attachments else "")
    b.html(path, page(report.title, body, charset=charset, nav=NAV, site_title=b.site.title,
                      metas=_meta(report.title, day, report.agency)), header_charset=header,
           modified=day)
    if inline:
        placed.paths.insert(0, path)
    if form == "robots":
        placed.excluded = "only linked from a path robots.txt disallows"
        listing = link_list([Link(path.replace(folder, "./", 1), report.title, day.isoformat())])
        b.html("/nbbak/index.html", page("年报备份", listing, charset="gbk", nav=NAV,
                                         site_title=b.site.title))
    b.site.reports.append(placed)
    if form == "robots":
        return None
    return Link(path.replace(COLUMN, "./", 1), report.title, day.isoformat())


def _notice(b: SiteBuilder, rng: random.Random, agency: str, year: int, used_ids: set[int], *,
            wrong_encoding: bool) -> Link:
    """A notice about reports in the report column; one declares UTF-8 but is GBK."""
    day = random_day(rng, datetime.date(year, 10, 1), datetime.date(year, 12, 28))
    path = _detail_path(day, used_ids, rng)
    title, html = notice_page(rng, agency, year, day, charset="utf-8" if wrong_encoding else "gbk",
                              nav=NAV, site_title=b.site.title)
    b.html(path, html, header_charset="utf-8" if wrong_encoding else "site")
    return Link(path.replace(COLUMN, "./", 1), title, day.isoformat())


def _column_pages(b: SiteBuilder, entries: list[Link]) -> None:
    """index.html, index_1.html, … reachable only through ``createPageHTML`` (sorts ``entries``)."""
    entries.sort(key=lambda link: (link.date, link.href), reverse=True)
    count = -(-len(entries) // PER_PAGE)
    for i in range(count):
        chunk = entries[i * PER_PAGE:(i + 1) * PER_PAGE]
        body = f"<h2>政府信息公开年报</h2>\n{link_list(chunk)}\n{create_page_script(count, i)}"
        path = COLUMN + ("index.html" if i == 0 else f"index_{i}.html")
        # the second page fails twice before it answers: a crawler must retry to see it
        b.html(path, page("政府信息公开年报", body, charset="gbk", nav=NAV, site_title=b.site.title),
               behaviour="transient" if i == 1 else "static", amount=2)


def _notices_column(b: SiteBuilder, rng: random.Random, agencies: Sequence[str],
                    used_ids: set[int]) -> None:
    entries: list[Link] = []
    for year in range(2019, 2025):
        agency = rng.choice(agencies)
        day = random_day(rng, datetime.date(year, 3, 1), datetime.date(year, 11, 30))
        path = _detail_path(day, used_ids, rng, "/zwgk/tzgg/")
        title, html = notice_page(rng, agency, year, day, charset="gbk", nav=NAV,
                                  site_title=b.site.title)
        b.html(path, html)
        entries.append(Link(path, title, day.isoformat()))
    entries.sort(key=lambda link: link.date, reverse=True)
    big = Link("/uploads/tjnj2023.zip", "2023年统计年鉴（数据包）")
    body = f"<h2>通知公告</h2>\n{link_list(entries)}\n{link_list([big])}"
    b.html("/zwgk/tzgg/index.html", page("通知公告", body, charset="gbk", nav=NAV,
                                          site_title=b.site.title))
    b.html("/uploads/tjnj2023.zip", "", behaviour="large", amount=60 * 1024 * 1024)


def _challenges(b: SiteBuilder) -> None:
    """An HTTP 412 challenge (search) and a 521 WAF script page (互动交流)."""
    b.error("/search/index.html", 412, (
        "<html><head><meta charset=\"utf-8\"></head><body><script>"
        "var _0x1=['__jsl_clearance_s'];document.cookie=_0x1[0]+'=1700000000.123|0|abc';"
        "location.href=location.pathname+location.search;</script></body></html>"))
    b.error("/hdjl/index.html", 521, (
        "<html><head><meta charset=\"utf-8\"><title>安全验证</title></head><body>"
        "<script src=\"/_waf_/waf.js\"></script><script>document.cookie='acw_sc__v2=6f1e2d';"
        "setTimeout(function(){location.reload()},500);</script>"
        "<noscript>请启用JavaScript后访问本站</noscript></body></html>"))


def _zwgk_body() -> str:
    return "<h2>政府信息公开</h2>\n" + link_list([
        Link("/zwgk/zfxxgknb/index.html", "政府信息公开年报"),
        Link("/zwgk/tzgg/index.html", "通知公告"),
        Link("/nbbak/index.html", "年报备份"),
        Link("/zwgk/zcjd/index.html", "政策解读"),
        Link("/zfxxgk/nb/index.html", "年度报告（旧版入口）"),
    ])


def _home(b: SiteBuilder, traps: list[Link]) -> None:
    links = [*NAV[1:], Link("/search/index.html", "站内搜索"), Link("/hdjl/index.html", "互动交流"),
             *traps]
    html = page(b.site.title, "<h2>欢迎访问</h2>\n" + link_list(links), charset="gbk", nav=NAV,
                site_title=b.site.title)
    b.html("/", html)
    b.html("/index.html", html)


def _robots(b: SiteBuilder) -> None:
    text = "User-agent: *\nDisallow: /nbbak/\nDisallow: /cgi-bin/\n"
    b.file("/robots.txt", text.encode(), "text/plain", modified=datetime.date(2023, 1, 1))


_DETAIL_ID = re.compile(r"_(\d{7})\.html$")
_COLUMN_PAGE = re.compile(re.escape(COLUMN) + r"index(?:_\d+)?\.html")


class TrsLayout:
    """Changes a built TRS site: publish a report in the column, take it off, re-render the column."""

    forms: tuple[str, ...] = ("pdf", "inline", "inline+pdf")

    def publish(self, site: SiteModel, report: GeneratedReport, form: str,
                rng: random.Random) -> PlacedReport:
        """Serve ``report`` on a new detail page (ids from ``rng``) and list it in the column."""
        used = {int(m.group(1)) for p in site.resources if (m := _DETAIL_ID.search(p))}
        entry = _place(SiteBuilder(site, encoding="gbk"), rng, report, form, used)
        if entry is None:  # pragma: no cover - only the "robots" form is not listed
            raise ValueError(f"form {form!r} cannot be published in the column")
        site.listings[COLUMN].append(entry)
        return site.reports[-1]

    def unlist(self, site: SiteModel, pages: Sequence[str]) -> None:
        """Drop the column entries of ``pages``."""
        site.listings[COLUMN] = without(site.listings[COLUMN],
                                        (path.replace(COLUMN, "./", 1) for path in pages))

    def relist(self, site: SiteModel) -> None:
        """Render the column pages again from ``site.listings``."""
        b = SiteBuilder(site, encoding="gbk")
        for path in [p for p in site.resources if _COLUMN_PAGE.fullmatch(p)]:
            b.remove(path)
        _column_pages(b, site.listings[COLUMN])
