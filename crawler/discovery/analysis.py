"""Everything the spider asks of one HTML page, in one call it can run off the reactor.

:func:`analyze_page` decodes and parses the page, reads its title, report body, links (at
most ``max_links``), Hanweb jpage query, pager (``crawler.discovery.paging``), data-list calls
(``datalists``) and whether its list is left for scripts to draw (``rendering``); the parsed
:class:`Page` comes back with them for the steps that depend on the crawl's state (the site
search form, ``search``). It is a plain function so the spider runs it in a thread (a huge or
hostile page then slows one worker thread, never the reactor: downloads, timeouts and SIGTERM
go on) and tests call it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.discovery.datalists import DataQuery, find_data_queries
from crawler.discovery.lists import JpageQuery, find_jpage, parse_jpage_response
from crawler.discovery.pages import MAX_LINKS_PER_PAGE, Link, Page
from crawler.discovery.paging import PageSeries, find_paging
from crawler.discovery.rendering import looks_script_built
from crawler.discovery.search import SearchForm, find_search_form
from crawler.discovery.urls import host_of
from crawler.fetch.soft404 import soft_404_reason
from crawler.reports.titles import has_report_body

#: How much of a page's inline scripts its data-list requests carry (for the next pages' calls).
MAX_LIST_SCRIPTS = 50000


@dataclass(frozen=True)
class PageAnalysis:
    """What a page says: the report it is (context), its links and its list adapters."""

    #: title, agency, year, published_on when the page is titled as a report, else None.
    context: dict[str, Any] | None
    #: True when the page carries the report itself (its tables), not just a link to it.
    is_report: bool
    #: The parsed page (its text and links already computed and cached).
    page: Page | None = None
    links: list[Link] = field(default_factory=list)
    links_dropped: int = 0
    jpage: JpageQuery | None = None
    #: The list series the page belongs to (its pager), if any.
    paging: PageSeries | None = None
    #: The data-API calls of its scripts (a list built by JavaScript).
    data_queries: list[DataQuery] = field(default_factory=list)
    #: No data-API call, and its list is left empty for its scripts to draw (render it).
    script_built: bool = False
    #: The page's title (what its list's pages rank by).
    title: str = ""
    #: The start of its inline scripts, when it has data-API calls (their requests carry it).
    scripts: str = ""
    #: Its site search, when asked for (``find_search``).
    search_form: SearchForm | None = None
    #: Why the page is a soft 404 (``crawler.fetch.soft404``), when asked (``soft_404``); such a
    #: page is not read any further.
    soft_404: str | None = None


def analyze_page(url: str, body: bytes, charset: str, *, max_links: int = MAX_LINKS_PER_PAGE,
                 link_text: str = "", find_search: bool = False, check_rendering: bool = True,
                 keep_page: bool = True, soft_404: bool = False,
                 soft_404_template: str | None = None) -> PageAnalysis:
    """Read an HTML page (bytes in ``charset``; ``link_text``: the text of the link that led
    here, the last source of the agency) the way the spider needs it. ``find_search``: look
    for its site search too. ``check_rendering=False``: the page will not be rendered, so whether
its scripts draw its list is not asked. ``keep_page=False``: plain data only, no parsed page (it can be
    sent from another process). ``soft_404``: first judge whether it is a soft 404 (against the
    host's "not found" template fingerprint ``soft_404_template``, if it has one)."""
    html = body.decode(charset, errors="replace")
    if soft_404:
        reason = soft_404_reason(html, nonsense_fingerprint=soft_404_template)
        if reason is not None:
            return PageAnalysis(context=None, is_report=False, soft_404=reason)
    page = Page(url, html, max_links=max_links)
    identity = page.report_identity(link_text)
    context: dict[str, Any] | None = None
    is_report = False
    if identity is not None:
        published = page.published_on()
        context = {
            "title": identity.title,
            "agency": identity.agency or host_of(url),
            "identity_source": identity.source or "host",
            "template": identity.template,
            "year": identity.year,
            "published_on": published.isoformat() if published else None,
        }
        is_report = has_report_body(page.text())
    links = page.links()
    scripts = page.scripts()
    queries = find_data_queries(page)
    return PageAnalysis(
        context=context, is_report=is_report, page=page if keep_page else None, links=links,
        links_dropped=page.links_dropped, jpage=find_jpage(url, scripts or page.text()),
        paging=find_paging(page), data_queries=queries,
        script_built=check_rendering and not queries and looks_script_built(page), title=page.title(),
        scripts=scripts[:MAX_LIST_SCRIPTS] if queries else "",
        search_form=find_search_form(page, charset=charset) if find_search else None,
    )


def jpage_links(list_url: str, body: bytes, charset: str, *,
                max_links: int = MAX_LINKS_PER_PAGE) -> tuple[list[Link], int | None, int]:
    """Links of one Hanweb data-proxy answer (at most ``max_links``), its stated total and
    how many records it held."""
    group = parse_jpage_response(body.decode(charset, errors="replace"))
    links: list[Link] = []
    for record in group.records:
        if len(links) >= max_links:
            break
        links += Page(list_url, f"<html><body>{record}</body></html>",
                      max_links=max_links - len(links)).links()
    return links, group.total, len(group.records)
