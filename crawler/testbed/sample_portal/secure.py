"""The HTTPS site: one report behind a self-signed certificate, to test verification."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from html import escape

from crawler.testbed.reportgen import GeneratedReport, render_html
from crawler.testbed.sample_portal.builder import SiteBuilder
from crawler.testbed.sample_portal.documents import render_attachment
from crawler.testbed.sample_portal.model import PlacedReport, SiteModel
from crawler.testbed.sample_portal.pages import (
    Link,
    article,
    attachment_block,
    link_list,
    page,
    without,
)

MakeReport = Callable[[str, int], GeneratedReport]
NAV = (Link("/index.html", "首页"), Link("/gk/nb/index.html", "年度报告"))
#: The report list's folder.
LIST = "/gk/nb/"


def build_secure(*, agency: str, make_report: MakeReport) -> SiteModel:
    """The HTTPS site of ``agency`` with its 2023 report inline."""
    site = SiteModel(name="https", title=f"{agency}信息公开平台", scheme="https", agencies=[agency])
    b = SiteBuilder(site)
    site.listings[LIST] = [_place(b, make_report(agency, 2023), "inline")]
    _report_list(b, site.listings[LIST])
    home = page(site.title, link_list(NAV[1:]), nav=NAV, site_title=site.title)
    b.html("/", home)
    b.html("/index.html", home)
    b.file("/robots.txt", b"User-agent: *\nDisallow:\n", "text/plain",
           modified=datetime.date(2023, 1, 1))
    return site


def _place(b: SiteBuilder, report: GeneratedReport, form: str, number: int = 1) -> Link:
    """Serve ``report`` at ``/gk/nb/YYYYMMDD_N.html``, inline or with a PDF."""
    day = report.published_on
    path = f"{LIST}{day:%Y%m%d}_{number}.html"
    placed = PlacedReport(report, [], form=form, pages=[path])
    if form == "inline":
        body = article(report.title, day.isoformat(), report.agency, render_html(report))
        placed.paths.append(path)
    else:
        doc = render_attachment(report, "pdf")
        target = f"{LIST}files/{day:%Y%m%d}_{number}.pdf"
        b.file(target, doc.body, doc.content_type, modified=day)
        placed.paths.append(target)
        body = article(report.title, day.isoformat(), report.agency,
                       f"<p>{escape(report.title)}全文见附件。</p>",
                       attachment_block([Link(target, f"{report.title}.pdf")]))
    b.html(path, page(report.title, body, nav=NAV, site_title=b.site.title,
                      metas={"ArticleTitle": report.title, "PubDate": day.isoformat()}),
           modified=day)
    b.site.reports.append(placed)
    return Link(path, report.title, day.isoformat())


def _report_list(b: SiteBuilder, entries: list[Link]) -> None:
    entries.sort(key=lambda link: (link.date, link.href), reverse=True)
    b.html(LIST + "index.html", page("年度报告", link_list(entries), nav=NAV, site_title=b.site.title))


class SecureLayout:
    """Changes the HTTPS site: publish in its report list, take off, re-render the list."""

    forms: tuple[str, ...] = ("pdf", "inline")

    def publish(self, site: SiteModel, report: GeneratedReport, form: str,
                rng: random.Random) -> PlacedReport:
        """Serve ``report`` under a number of its day drawn from ``rng`` and not in use."""
        day = report.published_on
        number = rng.randrange(2, 10**4)
        while f"{LIST}{day:%Y%m%d}_{number}.html" in site.resources:
            number = rng.randrange(2, 10**4)
        site.listings[LIST].append(_place(SiteBuilder(site), report, form, number))
        return site.reports[-1]

    def unlist(self, site: SiteModel, pages: Sequence[str]) -> None:
        """Drop the list entries of ``pages``."""
        site.listings[LIST] = without(site.listings[LIST], pages)

    def relist(self, site: SiteModel) -> None:
        """Render the report list again."""
        b = SiteBuilder(site)
        b.remove(LIST + "index.html")
        _report_list(b, site.listings[LIST])
