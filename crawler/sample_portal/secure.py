"""The HTTPS site: one report behind a self-signed certificate, to test verification."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from crawler.reportgen import GeneratedReport, render_html
from crawler.sample_portal.builder import SiteBuilder
from crawler.sample_portal.model import PlacedReport, SiteModel
from crawler.sample_portal.pages import Link, article, link_list, page

MakeReport = Callable[[str, int], GeneratedReport]
NAV = (Link("/index.html", "首页"), Link("/gk/nb/index.html", "年度报告"))


def build_secure(*, agency: str, make_report: MakeReport) -> SiteModel:
    """The HTTPS site of ``agency`` with its 2023 report inline."""
    site = SiteModel(name="https", title=f"{agency}信息公开平台", scheme="https")
    b = SiteBuilder(site)
    report = make_report(agency, 2023)
    day = report.published_on
    path = f"/gk/nb/{day:%Y%m%d}_1.html"
    body = article(report.title, day.isoformat(), agency, render_html(report))
    b.html(path, page(report.title, body, nav=NAV, site_title=site.title,
                      metas={"ArticleTitle": report.title, "PubDate": day.isoformat()}))
    site.reports.append(PlacedReport(report, [path], form="inline"))
    listing = link_list([Link(path, report.title, day.isoformat())])
    b.html("/gk/nb/index.html", page("年度报告", listing, nav=NAV, site_title=site.title))
    home = page(site.title, link_list(NAV[1:]), nav=NAV, site_title=site.title)
    b.html("/", home)
    b.html("/index.html", home)
    b.file("/robots.txt", b"User-agent: *\nDisallow:\n", "text/plain",
           modified=datetime.date(2023, 1, 1))
    return site
