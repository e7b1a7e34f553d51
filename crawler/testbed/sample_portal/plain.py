"""A plain UTF-8 site with ``sitemap.xml``, ``?sid=`` session links and most of the noise."""

from __future__ import annotations

import datetime
import hashlib
import random
from collections.abc import Callable, Collection, Sequence
from html import escape

from crawler.testbed.reportgen import GeneratedReport, render_html
from crawler.testbed.sample_portal.builder import SiteBuilder
from crawler.testbed.sample_portal.documents import render_attachment
from crawler.testbed.sample_portal.model import ORIGIN, UNLISTED, PlacedReport, SiteModel
from crawler.testbed.sample_portal.noise import (
    add_news_column,
    notice_page,
    random_day,
    service_pages,
)
from crawler.testbed.sample_portal.pages import (
    Link,
    article,
    attachment_block,
    link_list,
    page,
    without,
)

MakeReport = Callable[[str, int], GeneratedReport]
#: The report list's folder.
LIST = "/xxgk/ndbg/"
PLAN: tuple[tuple[int, str], ...] = ((2020, "inline"), (2022, "pdf"), (2023, "docx"), (2024, "inline"))
NAV = (
    Link("/index.html", "首页"),
    Link("/xxgk/index.html", "信息公开"),
    Link("/news/index.html", "要闻动态"),
)


def build_plain(rng: random.Random, *, agencies: Sequence[str], make_report: MakeReport,
                scale: int) -> SiteModel:
    """The site of ``agencies[0]``, carrying reports of all ``agencies``."""
    site = SiteModel(name="plain", title=f"{agencies[0]}", agencies=list(agencies))
    b = SiteBuilder(site)
    entries: list[Link] = []
    for i, (year, form) in enumerate(PLAN):
        entries.append(_place(b, make_report(agencies[i % len(agencies)], year), form))
    for year in (2021, 2022, 2023):
        day = random_day(rng, datetime.date(year, 11, 1), datetime.date(year, 12, 28))
        path = f"/xxgk/tzgg/{day:%Y%m%d}{rng.randrange(1000, 10000)}.html"
        title, html = notice_page(rng, rng.choice(agencies), year, day, charset="utf-8", nav=NAV,
                                  site_title=site.title)
        b.html(path, html)
        entries.append(Link(path, title, day.isoformat()))
    site.listings[LIST] = entries
    _report_list(b, entries)
    add_news_column(b, rng, folder="/news/", name="要闻动态", count=200 * scale, agencies=agencies,
                    detail_path=lambda d, n: f"/news/{d:%Y}/{d:%m%d}/{n}.html", nav=NAV,
                    charset="utf-8")
    services = service_pages(b, folder="/bsfw/", sid_link="?sid=__SID__", nav=NAV, charset="utf-8")
    b.html("/xxgk/index.html", page("信息公开", link_list([
        Link("/xxgk/ndbg/index.html", "政府信息公开工作年度报告"),
        Link("/xxgk/gkzn/index.html", "政府信息公开指南"),  # dead link
    ]), nav=NAV, site_title=site.title))
    home = page(site.title, "<h2>首页</h2>\n" + link_list([*NAV[1:], services]), nav=NAV,
                site_title=site.title)
    b.html("/", home)
    b.html("/index.html", home)
    b.file("/robots.txt", f"User-agent: *\nDisallow:\nSitemap: {ORIGIN}/sitemap.xml\n".encode(),
           "text/plain", modified=datetime.date(2023, 1, 1))
    _sitemap(b)
    return site


def _report_list(b: SiteBuilder, entries: list[Link]) -> None:
    """The 年度报告 list page, newest first (sorts ``entries``; ties keep their order)."""
    entries.sort(key=lambda link: link.date, reverse=True)
    b.html(LIST + "index.html", page("年度报告", "<h2>政府信息公开工作年度报告</h2>\n"
                                     + link_list(entries), nav=NAV, site_title=b.site.title))


def _place(b: SiteBuilder, report: GeneratedReport, form: str, salt: str = "") -> Link:
    key = hashlib.sha1((report.title + salt).encode()).hexdigest()[:10]
    path = f"{LIST}{report.year}/{key}.html"
    placed = PlacedReport(report, [], form=form, pages=[path])
    links: list[Link] = []
    if form == "inline":
        content = render_html(report)
        placed.paths.append(path)
    else:
        doc = render_attachment(report, "pdf" if form == "pdf" else "docx")
        target = f"/files/{key}.{doc.ext}"
        b.file(target, doc.body, doc.content_type, modified=report.published_on)
        placed.paths.append(target)
        links.append(Link(target, f"{report.title}.{doc.ext}"))
        content = f"<p>{escape(report.title)}全文请见附件。</p>"
    day = report.published_on
    body = article(report.title, day.isoformat(), report.agency, content,
                   attachment_block(links) if links else "")
    b.html(path, page(report.title, body, nav=NAV, site_title=b.site.title,
                      metas={"ArticleTitle": report.title, "PubDate": day.isoformat()}),
           modified=day)
    b.site.reports.append(placed)
    return Link(path, report.title, day.isoformat())


def _sitemap(b: SiteBuilder, hidden: Collection[str] = ()) -> None:
    """Every HTML page of the site but ``hidden`` (session pages without their session id)."""
    paths = sorted(p for p, r in b.site.resources.items()
                   if p.endswith(".html") and r.status == 200 and p not in hidden)
    urls = "\n".join(f"<url><loc>{ORIGIN}{escape(p)}</loc></url>" for p in paths)
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "\n</urlset>\n")
    b.file("/sitemap.xml", text.encode(), "application/xml", modified=datetime.date(2025, 7, 1))


class PlainLayout:
    """Changes a built plain site: publish in the 年度报告 list, take off, re-render list and sitemap."""

    forms: tuple[str, ...] = ("pdf", "inline", "docx")

    def publish(self, site: SiteModel, report: GeneratedReport, form: str,
                rng: random.Random) -> PlacedReport:
        """Serve ``report`` under names salted from ``rng`` and list it."""
        site.listings[LIST].append(_place(SiteBuilder(site), report, form,
                                          salt=f"{rng.randrange(1 << 32):08x}"))
        return site.reports[-1]

    def unlist(self, site: SiteModel, pages: Sequence[str]) -> None:
        """Drop the list entries of ``pages`` (the sitemap follows in :meth:`relist`)."""
        site.listings[LIST] = without(site.listings[LIST], pages)

    def relist(self, site: SiteModel) -> None:
        """Render the list page and the sitemap again; unlisted reports leave the sitemap too."""
        b = SiteBuilder(site)
        b.remove(LIST + "index.html")
        b.remove("/sitemap.xml")
        _report_list(b, site.listings[LIST])
        hidden = {p for r in site.reports if r.excluded == UNLISTED for p in r.pages}
        _sitemap(b, hidden)
