"""The Hanweb (大汉) style site: column lists served only by the jpage data proxy, art_ pages."""

from __future__ import annotations

import datetime
import hashlib
import random
import re
from collections.abc import Callable, Sequence
from html import escape

from crawler.testbed.reportgen import GeneratedReport, render_html
from crawler.testbed.sample_portal.builder import SiteBuilder
from crawler.testbed.sample_portal.documents import render_attachment
from crawler.testbed.sample_portal.model import PlacedReport, Resource, SiteModel
from crawler.testbed.sample_portal.noise import (
    add_news_column,
    news_content,
    news_title,
    notice_page,
    random_day,
    service_pages,
)
from crawler.testbed.sample_portal.pages import Link, article, attachment_block, link_list, page

MakeReport = Callable[[str, int], GeneratedReport]
PROXY = "/module/web/jpage/dataproxy.jsp"
REPORTS_COL, NOTICES_COL, DEPT_COL, NEWS_COL = "1229", "1230", "1231", "1300"
WEBID, UNITID = "2", "5678"
PLAN: tuple[tuple[int, str], ...] = (
    (2019, "docx"),
    (2020, "doc"),
    (2021, "docx+doc"),
    (2022, "inline"),
    (2023, "docx-two-columns"),
    (2024, "doc"),
)
_COLUMN_NAMES = {REPORTS_COL: "政府信息公开年报", NOTICES_COL: "通知公告", DEPT_COL: "部门文件"}
_SNIPPET_DAY = re.compile(r"<span>(\d{4}-\d{2}-\d{2})</span></li>$")
_SNIPPET_HREF = re.compile(r'^<li><a href="([^"]+)"')
#: Records in the report column: more than one jpage group of 45.
REPORT_COLUMN_SIZE = 52
NAV = (
    Link("/index.html", "首页"),
    Link(f"/col/col{REPORTS_COL}/index.html", "政府信息公开年报"),
    Link(f"/col/col{NOTICES_COL}/index.html", "通知公告"),
    Link(f"/col/col{DEPT_COL}/index.html", "部门文件"),
    Link(f"/col/col{NEWS_COL}/index.html", "工作动态"),
)


class _Hanweb:
    """State while building the site: ids in use and the records of each jpage column."""

    def __init__(self, rng: random.Random, site: SiteModel, *, salt: str = "") -> None:
        self.rng = rng
        self.b = SiteBuilder(site, encoding="utf-8")
        self.ids: set[int] = set()
        #: Mixed into attachment names: a report published again gets new ones.
        self.salt = salt

    def art_path(self, col: str, day: datetime.date) -> str:
        number = self.rng.randrange(10**6, 10**7)
        while number in self.ids:
            number = self.rng.randrange(10**6, 10**7)
        self.ids.add(number)
        return f"/art/{day.year}/{day.month}/{day.day}/art_{col}_{number}.html"

    def record(self, col: str, path: str, title: str, day: datetime.date) -> None:
        snippet = (f'<li><a href="{escape(path)}" title="{escape(title)}" target="_blank">'
                   f"{escape(title, quote=False)}</a><span>{day.isoformat()}</span></li>")
        self.b.site.jpage_columns.setdefault(col, []).append(f"{day.isoformat()}\t{snippet}")

    def attachment(self, report: GeneratedReport, kind: str, *, filename_seed: str = "") -> tuple[Link, str]:
        """A downfile.jsp link (302 to /attach/…) and the path that serves the bytes."""
        doc = render_attachment(report, "pdf" if kind == "pdf" else "docx" if kind == "docx" else "doc")
        name = hashlib.sha1(f"{report.title}{kind}{filename_seed}".encode()).hexdigest()[:20]
        target = f"/attach/0/{name}.{doc.ext}"
        if target not in self.b.site.resources:
            self.b.file(target, doc.body, doc.content_type, modified=report.published_on)
        link = f"/module/download/downfile.jsp?classid=0&filename={name}.{doc.ext}"
        self.b.redirect(link, target, 302)
        return Link(link, f"{report.title}.{doc.ext}"), target

    def detail(self, path: str, title: str, day: datetime.date, source: str, content: str,
               attachments: Sequence[Link] = ()) -> None:
        body = article(title, day.isoformat(), source, content,
                       attachment_block(attachments) if attachments else "")
        metas = {"ArticleTitle": title, "PubDate": f"{day.isoformat()} 10:00"}
        self.b.html(path, page(title, body, charset="utf-8", metas=metas, nav=NAV,
                               site_title=self.b.site.title), modified=day)

    def place(self, report: GeneratedReport, form: str) -> PlacedReport:
        day = report.published_on
        placed = PlacedReport(report, [], form=form)
        cols = [REPORTS_COL, DEPT_COL] if form == "docx-two-columns" else [REPORTS_COL]
        for n, col in enumerate(cols):
            path = self.art_path(col, day)
            placed.pages.append(path)
            links: list[Link] = []
            if form == "inline":
                content = render_html(report)
                placed.paths.append(path)
            else:
                content = f"<p>现将《{escape(report.title)}》予以公开，详见附件。</p>"
                for kind in form.split("-")[0].split("+"):
                    link, target = self.attachment(report, kind, filename_seed=f"{self.salt}{n}")
                    links.append(link)
                    placed.paths.append(target)
                    placed.redirects.append(link.href)
            self.detail(path, report.title, day, report.agency, content, links)
            self.record(col, path, report.title, day)
        self.b.site.reports.append(placed)
        return placed


def build_hanweb(rng: random.Random, *, agencies: Sequence[str], make_report: MakeReport,
                 scale: int) -> SiteModel:
    """The site of ``agencies[0]``, carrying reports of all ``agencies``."""
    site = SiteModel(name="hanweb", title=f"{agencies[0]}网站", gzip=True, agencies=list(agencies))
    h = _Hanweb(rng, site)
    for i, (year, form) in enumerate(PLAN):
        h.place(make_report(agencies[i % len(agencies)], year), form)
    for year in range(2019, 2025):
        for col in (REPORTS_COL, NOTICES_COL):
            _notice(h, rng.choice(agencies), year, col)
    while len(site.jpage_columns[REPORTS_COL]) < REPORT_COLUMN_SIZE:
        _filler(h, rng.choice(agencies), REPORTS_COL)
    for _ in range(12):
        _filler(h, rng.choice(agencies), DEPT_COL)
    _column_pages(h.b)
    add_news_column(h.b, rng, folder=f"/col/col{NEWS_COL}/", name="工作动态", count=100 * scale,
                    agencies=agencies, nav=NAV, charset="utf-8",
                    detail_path=lambda d, n: f"/art/{d.year}/{d.month}/{d.day}/art_{NEWS_COL}_{n}.html")
    h.b.add(PROXY, _proxy_resource())
    services = service_pages(h.b, folder="/bsfw/", sid_link=";jsessionid=__SID__", nav=NAV,
                             charset="utf-8")
    home = page(site.title, "<h2>欢迎访问</h2>\n" + link_list([*NAV[1:], services]),
                charset="utf-8", nav=NAV, site_title=site.title)
    h.b.html("/", home)
    h.b.html("/index.html", home)
    h.b.file("/robots.txt", b"User-agent: *\nDisallow: /module/search/\n", "text/plain",
             modified=datetime.date(2023, 1, 1))
    return site


def _proxy_resource() -> Resource:
    """The data proxy; the server builds each answer from ``SiteModel.jpage_columns``."""
    return Resource(headers=(("Content-Type", "text/xml; charset=utf-8"),), behaviour="jpage")


def _notice(h: _Hanweb, agency: str, year: int, col: str) -> None:
    day = random_day(h.rng, datetime.date(year, 6, 1), datetime.date(year, 12, 28))
    path = h.art_path(col, day)
    title, html = notice_page(h.rng, agency, year, day, charset="utf-8", nav=NAV,
                              site_title=h.b.site.title)
    h.b.html(path, html)
    h.record(col, path, title, day)


def _filler(h: _Hanweb, agency: str, col: str) -> None:
    day = random_day(h.rng, datetime.date(2023, 1, 1), datetime.date(2025, 6, 30))
    path = h.art_path(col, day)
    title = news_title(h.rng, agency)
    h.detail(path, title, day, agency, news_content(h.rng, agency, title, day))
    h.record(col, path, title, day)


def _sorted_records(records: Sequence[str]) -> list[str]:
    """Snippets newest first; a record still keyed ``date<TAB>snippet`` loses its key."""
    keyed = [r if "\t" in r else f"{_record_day(r)}\t{r}" for r in records]
    return [r.split("\t", 1)[1] for r in sorted(keyed, reverse=True)]


def _record_day(snippet: str) -> str:
    match = _SNIPPET_DAY.search(snippet)
    if match is None:  # pragma: no cover - every snippet is made by _Hanweb.record
        raise ValueError(f"no date in record {snippet!r}")
    return match.group(1)


def _column_pages(b: SiteBuilder) -> None:
    """Sort every jpage column and write the column pages (their ``totalRecord`` counts)."""
    site = b.site
    for col in site.jpage_columns:
        site.jpage_columns[col] = _sorted_records(site.jpage_columns[col])
    for col, name in _COLUMN_NAMES.items():
        b.html(f"/col/col{col}/index.html", page(name, _column_body(col, name, site),
                                                charset="utf-8", nav=NAV, site_title=site.title))


def _column_body(col: str, name: str, site: SiteModel) -> str:
    """The column page: an empty div and the inline jpage script that fetches its list."""
    total = len(site.jpage_columns[col])
    return (
        f'<h2>{escape(name)}</h2>\n<div id="div{UNITID}{col}"></div>\n'
        '<script type="text/javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>\n'
        '<script type="text/javascript">\n'
        f"var jpageParam = {{col:1,appid:1,webid:{WEBID},path:'/',columnid:{col},"
        f"sourceContentType:1,unitid:'{UNITID}',webname:'{site.title}',permissiontype:0}};\n"
        "$(document).ready(function(){\n"
        f"  $('#div{UNITID}{col}').jpage({{dataUrl:'{PROXY}',perPage:15,totalRecord:{total},"
        "groupSize:3,ajaxParam:jpageParam,dataBefore:'<ul class=\"list\">',dataAfter:'</ul>',"
        "showMode:'full',barPosition:'bottom'});\n});\n</script>"
    )


_ART_ID = re.compile(r"_(\d{7})\.html$")


class HanwebLayout:
    """Changes a built Hanweb site: publish in the jpage columns, take off, re-render the columns."""

    forms: tuple[str, ...] = ("pdf", "inline", "docx")

    def publish(self, site: SiteModel, report: GeneratedReport, form: str,
                rng: random.Random) -> PlacedReport:
        """Serve ``report`` on new art_ pages and attachment names drawn from ``rng``."""
        h = _Hanweb(rng, site, salt=f"{rng.randrange(1 << 32):08x}-")
        h.ids = {int(m.group(1)) for p in site.resources if (m := _ART_ID.search(p))}
        return h.place(report, form)

    def unlist(self, site: SiteModel, pages: Sequence[str]) -> None:
        """Drop the jpage records that link ``pages``."""
        gone = set(pages)
        for col, records in site.jpage_columns.items():
            site.jpage_columns[col] = [r for r in records if _href(r) not in gone]

    def relist(self, site: SiteModel) -> None:
        """Sort the jpage columns and render the column pages again."""
        b = SiteBuilder(site, encoding="utf-8")
        for col in _COLUMN_NAMES:
            b.remove(f"/col/col{col}/index.html")
        _column_pages(b)


def _href(snippet: str) -> str:
    match = _SNIPPET_HREF.search(snippet.split("\t", 1)[-1])
    return match.group(1) if match else ""
