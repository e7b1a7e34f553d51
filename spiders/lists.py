"""List discovery for the portal spider: list paging, lists built by JavaScript (data APIs and
rendering in Chromium) and site search (``crawler.discovery``'s paging, datalists, rendering,
search). :class:`ListDiscovery` is mixed into ``PortalSpider``; it relies on the spider's
``_follow_all``, ``_counters``, ``_http_error``, ``_decode``, ``_in_scope`` and ``archive``. The
run owner asks :meth:`ListDiscovery.site_search_requests` once discovery is idle.

A list (pages, a data API, a Hanweb jpage list) is read to its end, each page or group going on
only while it brought links the one before it did not have (a counted list's window: its last
page), and never past ``GOVREPORTS_LIST_PAGES_CEILING`` pages; a list stopped either way is
counted (stat ``govreports/lists/cut/<kind>/<reason>``) and logged ("list cut").

Settings: ``GOVREPORTS_MAX_LIST_PAGES``, ``GOVREPORTS_LIST_PAGES_CEILING``, ``GOVREPORTS_SITE_SEARCH``,
``GOVREPORTS_SEARCH_MAX_PAGES``, ``GOVREPORTS_RENDER``, ``GOVREPORTS_RENDER_MAX_PER_HOST``,
``GOVREPORTS_RENDER_TIMEOUT``, ``GOVREPORTS_CHROMIUM``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.http import Request, Response

from crawler.discovery.datalists import DataQuery, parse_data_answer, request_parts
from crawler.discovery.pages import Link, Page
from crawler.discovery.paging import PageSeries, find_paging
from crawler.discovery.rendering import Renderer, RenderError, RenderIncomplete
from crawler.discovery.search import SearchForm, find_search_form, search_urls
from crawler.discovery.urls import META_LIST, canonicalize, host_of
from crawler.middlewares.archive import META_CAPTURE_ID

#: Request meta: the links of the list page (data-API page, jpage group) that asked for this
#: next one (a series whose length is unknown, a data API and a jpage list go on only while
#: their pages bring links the previous one did not have; a counted series goes past a window
#: of ``GOVREPORTS_MAX_LIST_PAGES`` pages on the same terms).
META_PREVIOUS_LINKS = "govreports_previous_links"
#: Request meta: hops left in which links count against the site-search budget, not the host's.
META_SEARCH = "govreports_search"
#: Request meta: the capture of the raw page a rendering request is for.
META_RENDER_OF = "govreports_render_of"
#: Request meta: how many times the page has been put in the browser (a page that did not
#: load is queued again, behind the work waiting, up to :data:`MAX_RENDER_TRIES` times).
META_RENDER_TRIES = "govreports_render_tries"
MAX_RENDER_TRIES = 3


class ListDiscovery:
    """Paging, data lists, rendering and site search, as spider callbacks and helpers."""

    _renderer: Renderer | None = None
    _renderer_off = False

    if TYPE_CHECKING:  # provided by the spider
        crawler: Any
        logger: Any

        def _follow_all(self, links: Iterable[tuple[str, str]], *,
                        referrer_report: dict[str, Any] | None = None, base_priority: int = 0,
                        search_hops: int = 0, list_page: bool = False) -> list[Request]: ...

        def _counters(self, name: str) -> dict[str, Any]: ...

        @property
        def archive(self) -> Any: ...

        def _within_budget(self, url: str, *, exempt_trap: bool = False, search: bool = False) -> bool: ...

        def _http_error(self, response: Response) -> bool: ...

        def _decode(self, response: Response) -> str: ...

        def _in_scope(self, url: str) -> bool: ...

        def on_error(self, failure: Any) -> None: ...

        def parse_page(self, response: Response) -> Any: ...

    @property
    def renderer(self) -> Renderer | None:
        """The crawl's renderer (started on first use, closed with the crawl); None when
        ``GOVREPORTS_RENDER`` is off."""
        if self._renderer is None and not self._renderer_off:
            settings = self.crawler.settings
            if not settings.getbool("GOVREPORTS_RENDER"):
                self._renderer_off = True
                return None
            self._renderer = Renderer(executable=settings.get("GOVREPORTS_CHROMIUM"),
                                      timeout=settings.getfloat("GOVREPORTS_RENDER_TIMEOUT"),
                                      max_per_host=settings.getint("GOVREPORTS_RENDER_MAX_PER_HOST"))
            self.crawler.signals.connect(self.close_renderer, signal=signals.spider_closed)
        return self._renderer

    async def close_renderer(self) -> None:
        """Close the browser with the crawl."""
        if self._renderer is not None:
            await self._renderer.close()

    def _list_pages(self, response: Response, title: str, links: list[Link], hops: int,
                    series: PageSeries | None) -> Iterator[Request]:
        """The other pages of the list the page (``title``, ``links``) belongs to: ``series``,
        its pager (``crawler.discovery.paging.find_paging``, found off the reactor by
        ``crawler.discovery.analysis``)."""
        if series is None:
            return
        max_pages = self.crawler.settings.getint("GOVREPORTS_MAX_LIST_PAGES")
        ceiling = self._list_ceiling
        own = {canonicalize(link.url) for link in links}
        previous = response.meta.get(META_PREVIOUS_LINKS)
        if previous is not None:
            # a series of unknown length, or a counted one at the end of a window, ends at a
            # page that brings nothing new (a site that ignores the page number)
            if self._repeats("paging", response.url, series.current, own, previous):
                return
            if series.past_ceiling(max_pages, ceiling):
                self._list_cut("paging", "ceiling", response.url, series.current)
                return
        window_end = series.window_end_url(max_pages, ceiling)
        window_end = canonicalize(window_end) if window_end else None
        asked = self._counters("list_pages")
        urls: list[tuple[str, str]] = []
        for url in series.next_urls(max_pages, ceiling):
            url = canonicalize(url)
            if url in asked:
                continue
            asked[url] = 1
            urls.append((url, title))
        # the pages of a list rank as the list does (its title), ahead of ordinary links
        for request in self._follow_all(urls, base_priority=40, search_hops=hops + 1 if hops else 0,
                                        list_page=True):
            self.crawler.stats.inc_value(f"govreports/paging/{series.source}")  # type: ignore[union-attr]
            if not series.counted or canonicalize(request.url) == window_end:
                request.meta[META_PREVIOUS_LINKS] = sorted(own)
            yield request

    @property
    def _list_ceiling(self) -> int:
        """``GOVREPORTS_LIST_PAGES_CEILING``: pages (jpage groups) of one list read at most."""
        return self.crawler.settings.getint("GOVREPORTS_LIST_PAGES_CEILING")

    def _repeats(self, kind: str, url: str, page: int, links: Iterable[str],
                 previous: Iterable[str] | None) -> bool:
        """True, the list cut, when page ``page`` of a list brought no link the page before
        it (``previous``) lacked: a site that ignores the page number, or repeats its last page."""
        if previous is None or set(links) - set(previous):
            return False
        self._list_cut(kind, "no_new_links", url, page)
        return True

    def _list_cut(self, kind: str, reason: str, url: str, page: int) -> None:
        """Count and log a list (``kind``: paging, datalist, jpage) that stops at page ``page``
        (``url``) for ``reason`` (``no_new_links``, ``ceiling``) while it may go on."""
        self.crawler.stats.inc_value(f"govreports/lists/cut/{kind}/{reason}")  # type: ignore[union-attr]
        level = logging.WARNING if reason == "ceiling" else logging.INFO
        self.logger.log(level, "list cut", extra={"kind": kind, "reason": reason, "url": url, "page": page})

    def _data_lists(self, response: Response, scripts: str, queries: list[DataQuery]
                    ) -> Iterator[Request]:
        """Requests for the data APIs a list page's scripts call (lists built by JavaScript;
        ``scripts``: the start of the page's inline scripts)."""
        for query in queries:
            request = self._data_request(query, list_url=response.url, scripts=scripts)
            if request is not None:
                yield request

    def _data_request(self, query: DataQuery, *, list_url: str, scripts: str,
                      previous: list[str] | None = None) -> Request | None:
        url, method, body, headers = request_parts(query)
        if not self._in_scope(url):
            return None
        asked = self._counters("data_lists")
        key = f"{method} {canonicalize(url)} {body!r}"
        if key in asked or not self._within_budget(url, exempt_trap=True):
            return None
        asked[key] = 1
        self.crawler.stats.inc_value("govreports/datalists/requests")  # type: ignore[union-attr]
        return Request(url, method=method, body=body, headers=headers, callback=self.parse_data_list,
                       errback=self.on_error, priority=200,
                       meta={"data_query": query, "list_url": list_url, "list_scripts": scripts,
                             META_PREVIOUS_LINKS: previous, META_LIST: True,
                             "govreports_probe": query.page == 1})

    def parse_data_list(self, response: Response) -> Iterator[Request]:
        """One page of a data API: follow its records, then ask for the next page."""
        if self._http_error(response):
            return
        query: DataQuery = response.meta["data_query"]
        list_url = response.meta["list_url"]
        answer = parse_data_answer(self._decode(response), list_url,
                                   scripts=response.meta.get("list_scripts", ""))
        if not answer.records:
            return
        own = sorted({canonicalize(record.url) for record in answer.records})
        if self._repeats("datalist", list_url, query.page, own, response.meta.get(META_PREVIOUS_LINKS)):
            return  # the API ignores the page number, or repeats its last page
        self.crawler.stats.inc_value("govreports/datalists/records", len(answer.records))  # type: ignore[union-attr]
        yield from self._follow_all([(record.url, record.title) for record in answer.records],
                                    base_priority=20)
        if not answer.has_page_after(query):
            return
        if query.page >= self._list_ceiling:
            self._list_cut("datalist", "ceiling", list_url, query.page)
            return
        following = self._data_request(query.for_page(query.page + 1), list_url=list_url,
                                       scripts=response.meta.get("list_scripts", ""), previous=own)
        if following is not None:
            yield following

    def _may_render(self, response: Response) -> bool:
        """True when a page of this response could be put in the browser (there is one, and
        the response is not a rendering itself)."""
        return self.renderer is not None and not response.meta.get(META_RENDER_OF)

    def _render_request(self, response: Response) -> Iterator[Request]:
        """Ask for the page again to render it (its list is built by script alone:
        ``crawler.discovery.rendering.looks_script_built``)."""
        capture_id = response.meta.get(META_CAPTURE_ID)
        if capture_id is None or not self._may_render(response):
            return
        rendered = self._counters("rendered")
        url = canonicalize(response.url)
        if url in rendered:
            return
        rendered[url] = 1
        yield Request(response.url, callback=self.parse_rendered, errback=self.on_error, dont_filter=True,
                      priority=150, meta={META_RENDER_OF: capture_id, META_LIST: True})

    async def parse_rendered(self, response: Response) -> AsyncIterator[Request]:
        """A script-built list page rendered in Chromium: archive the DOM, follow its links."""
        renderer = self.renderer
        if self._http_error(response) or renderer is None:
            return
        stats = self.crawler.stats
        tries = int(response.meta.get(META_RENDER_TRIES, 1))
        if tries == 1 and not renderer.allow(host_of(response.url)):
            stats.inc_value("govreports/render/skipped_budget")  # type: ignore[union-attr]
            return
        try:
            rendered = await renderer.render(response.url, allowed=self._in_scope,
                                             keep_partial=tries >= MAX_RENDER_TRIES)
        except RenderIncomplete:
            # the browser could not load it now (a busy machine): try again once the work
            # queued before it is done, rather than keep a list its scripts never drew
            stats.inc_value("govreports/render/deferred")  # type: ignore[union-attr]
            self.logger.info("rendering deferred", extra={"url": response.url, "tries": tries})
            yield Request(response.url, callback=self.parse_rendered, errback=self.on_error,
                          dont_filter=True, priority=-1000 * tries,
                          meta={META_RENDER_OF: response.meta[META_RENDER_OF], META_LIST: True,
                                META_RENDER_TRIES: tries + 1})
            return
        except RenderError as exc:
            stats.inc_value("govreports/errors/render_failed")  # type: ignore[union-attr]
            if response.request is not None:
                self.archive.record_failure(response.request, "render_failed",
                                                                        str(exc))
            return
        await self.archive.record_rendering_async(
            url=response.url, raw_capture_id=response.meta[META_RENDER_OF], html=rendered.html,
            browser=rendered.browser)
        stats.inc_value("govreports/render/pages")  # type: ignore[union-attr]
        page = Page(response.url, rendered.html)
        links = page.links()
        for request in self._list_pages(response, page.title(), links, 0, find_paging(page)):  # first: see parse_page
            yield request
        for request in self._follow_all([(link.url, link.text) for link in links]):
            yield request

    def _wants_search_form(self, url: str) -> bool:
        """True while no site search is noted for ``url``'s host (its page is searched for one)."""
        return self._site_search and host_of(url) not in self._counters("search_forms")

    @cached_property
    def _site_search(self) -> bool:
        """``GOVREPORTS_SITE_SEARCH`` (read once)."""
        return self.crawler.settings.getbool("GOVREPORTS_SITE_SEARCH", True)

    def _note_search_form(self, response: Response, form: SearchForm | None) -> None:
        """Remember the first site search seen on each host (asked once discovery ends)."""
        if form is None or not self._wants_search_form(response.url):
            return
        if self._in_scope(form.action):
            self._counters("search_forms")[host_of(response.url)] = form

    def restore_search_forms(self, pages: Iterable[tuple[str, str, str]],
                             scheduled: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """After a resume: note again the search forms of pages an earlier process read
        (``pages``: url, HTML and charset), and count as asked the searches already in the frontier, so
        a crawl killed between reading a form and asking it still asks it."""
        searched = self._counters("searched")
        for url, meta in scheduled:
            if meta.get(META_SEARCH):
                searched[host_of(url)] = 1
        forms = self._counters("search_forms")
        for url, html, charset in pages:
            host = host_of(url)
            if host in forms or host in searched:
                continue
            form = find_search_form(Page(url, html), charset=charset)
            if form is not None and self._in_scope(form.action):
                forms[host] = form

    def site_search_requests(self) -> list[Request]:
        """The searches of every noted site search not asked yet (called once discovery is idle,
        by the run owner; each host's search is asked once)."""
        searched = self._counters("searched")
        requests: list[Request] = []
        for host, form in self._counters("search_forms").items():
            if host in searched:
                continue
            searched[host] = 1
            for url in search_urls(form):
                if not self._in_scope(url):
                    continue
                self.crawler.stats.inc_value("govreports/search/queries")
                requests.append(Request(url, callback=self.parse_page, errback=self.on_error, priority=300,
                                        meta={META_SEARCH: 2, META_LIST: True}))
        if requests:
            self.logger.info("asking site search", extra={"hosts": len(searched), "queries": len(requests)})
        return requests
