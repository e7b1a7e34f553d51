"""A report's detail page (inline, or with a PDF attachment), shared by the newer sites."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from html import escape

from crawler.testbed.reportgen import GeneratedReport, render_html
from crawler.testbed.sample_portal.builder import SiteBuilder
from crawler.testbed.sample_portal.documents import render_attachment
from crawler.testbed.sample_portal.model import PlacedReport
from crawler.testbed.sample_portal.noise import notice_page, random_day
from crawler.testbed.sample_portal.pages import Link, article, attachment_block, page


def place_report(b: SiteBuilder, report: GeneratedReport, path: str, form: str, *,
                 nav: Sequence[Link], how: str) -> Link:
    """Serve ``report`` at ``path`` (``form``: "inline" or "pdf"); the list entry for it.

    ``how`` says how a crawler reaches it (kept in the placed report's ``form`` for the manifest).
    """
    day = report.published_on
    placed = PlacedReport(report, [], form=f"{form}:{how}", pages=[path])
    if form == "inline":
        body = article(report.title, day.isoformat(), report.agency, render_html(report))
        placed.paths.append(path)
    else:
        doc = render_attachment(report, "pdf")
        target = path.rsplit(".", 1)[0] + ".pdf"
        b.file(target, doc.body, doc.content_type, modified=day)
        placed.paths.append(target)
        body = article(report.title, day.isoformat(), report.agency,
                       f"<p>{escape(report.title)}全文见附件。</p>",
                       attachment_block([Link(target, f"{report.title}.pdf")]))
    b.html(path, page(report.title, body, nav=nav, site_title=b.site.title,
                      metas={"ArticleTitle": report.title, "PubDate": day.isoformat()}),
           modified=day)
    b.site.reports.append(placed)
    return Link(path, report.title, day.isoformat())


def place_notice(b: SiteBuilder, rng: random.Random, agency: str, year: int, path: str, *,
                 nav: Sequence[Link]) -> Link:
    """A notice about annual reports (not one) at ``path``; its list entry."""
    day = random_day(rng, datetime.date(year, 10, 1), datetime.date(year, 12, 28))
    title, html = notice_page(rng, agency, year, day, charset="utf-8", nav=nav, site_title=b.site.title)
    b.html(path, html)
    return Link(path, title, day.isoformat())
