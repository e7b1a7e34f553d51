"""The portal spider: walk government portals and find their annual reports.

Generic: no per-site code. It stays on the seeds' hosts, follows the links most likely to
lead to reports first, pages through lists whatever their paging (``crawler.discovery.paging``),
calls the data APIs of lists built by JavaScript (``crawler.discovery.datalists``) and Hanweb
jpage, reads sitemaps, fetches the attachments that reports come in, and, once discovery
ends, asks each site's own search for reports (``crawler.discovery.search``).

Usage: ``scrapy crawl portal -a seeds=https://a.gov.cn/,https://b.gov.cn/`` (or
``-a seeds_file=seeds.txt``, one URL a line); ``govreports crawl`` wraps it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from functools import cached_property, partial
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.http import FormRequest, Request, Response
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler.archive.session import ArchiveSession
from crawler.discovery.analysis import PageAnalysis, analyze_page, jpage_links
from crawler.discovery.lists import JpageQuery, jpage_group_url
from crawler.discovery.scope import CrawlScope
from crawler.discovery.urls import (
    META_LIST,
    canonicalize,
    host_of,
    is_attachment_url,
    is_skipped_url,
    looks_like_list,
    looks_like_trap,
    trap_key,
)
from crawler.extensions.run_owner import RunOwner
from crawler.fetch.errors import error_kind
from crawler.frontier.keysets import KeySet, StatusMap
from crawler.frontier.shared_budget import (
    HOST_EXHAUSTED,
    TAKEN,
    TRAP_EXHAUSTED,
    BudgetAsk,
    SharedBudget,
)
from crawler.items import ReportItem
from crawler.middlewares.archive import (
    META_CAPTURE_ID,
    META_CHARSET,
    META_FAILURE_RECORDED,
    META_SHA256,
    committed_capture_id,
)
from crawler.middlewares.politeness import STATS_KEY as THROTTLE_STATS_KEY
from crawler.middlewares.soft404 import (
    META_SOFT_404,
    META_SOFT_404_TEMPLATE,
    flag_soft_404,
    judges_soft_404,
)
from crawler.processes import WorkerProcesses
from crawler.reports.changes import REDIRECT_HOME, SOFT_404
from crawler.reports.page_identity import clean_agency, template_era
from crawler.reports.titles import link_score, parse_report_title
from crawler.threads import in_thread
from spiders.lists import META_PREVIOUS_LINKS, META_SEARCH, ListDiscovery

#: Magic numbers of the document formats reports come in.
_DOCUMENT_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"{\\rtf")
#: Request meta: a known report URL fetched directly because no link led to it this time.
META_REVALIDATE = "govreports_revalidate"


def read_seeds(seeds: str | Iterable[str] | None, seeds_file: str | None) -> list[str]:
    """Seed URLs from a comma/space separated string or list, plus a file (one a line, # comments)."""
    found: list[str] = []
    if isinstance(seeds, str):
        found += [s for s in seeds.replace(",", " ").split() if s]
    elif seeds:
        found += list(seeds)
    if seeds_file:
        for line in Path(seeds_file).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                found.append(line)
    return [canonicalize(s if "://" in s else f"http://{s}") for s in found]


#: How many queued link URLs the spider remembers (then it starts afresh; about 1 MB).
_REMEMBERED_QUEUED_URLS = 8192
#: A sitemap's URLs are followed this many at a time, as they are read (budgets counted
#: together: one Redis round trip per chunk in a distributed run).
SITEMAP_CHUNK = 500


class PortalSpider(ListDiscovery, scrapy.Spider):
    """Find annual reports on the seeds' hosts.

    Settings: ``GOVREPORTS_MAX_PAGES_PER_HOST``, ``GOVREPORTS_MAX_PER_TRAP_KEY``, ``DEPTH_LIMIT``,
    ``GOVREPORTS_MAX_LIST_PAGES`` (pages of a counted list asked at once),
    ``GOVREPORTS_LIST_PAGES_CEILING`` (pages of one list read at most), ``GOVREPORTS_SITE_SEARCH`` (ask each
    site's search once discovery ends), ``GOVREPORTS_SEARCH_MAX_PAGES`` (its budget per host),
    and the ``GOVREPORTS_RENDER*`` settings of ``crawler.discovery.rendering``.
    """

    name = "portal"

    def __init__(self, seeds: str | list[str] | None = None, seeds_file: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed_urls = read_seeds(seeds, seeds_file)
        if not self.seed_urls:
            raise ValueError("no seed URLs: pass -a seeds=URL[,URL…] or -a seeds_file=FILE")
        self.scope = CrawlScope(self.seed_urls)
        #: URLs of link requests the frontier reported queued before (see :meth:`_not_queued`).
        self._queued_urls: set[str] = set()
        #: Where pages are read (``GOVREPORTS_ANALYSIS_PROCESSES``; set from the crawler's settings).
        self.analysis = WorkerProcesses(0)

    @property
    def hosts(self) -> set[str]:
        """The hosts this crawl covers: the seeds', allowed ones, and in-scope hosts it reached."""
        return set(self.scope.hosts) | set(self._counters("hosts_reached"))

    # -- state: budgets, what this crawl saw (rebuilt from the archive when a run resumes) ------

    @cached_property
    def archive(self) -> ArchiveSession:
        """The run's archive session (owned by the run owner extension; looked up once)."""
        owner = self.crawler.get_extension(RunOwner)
        if owner is None:
            raise RuntimeError("the portal spider needs the RunOwner extension")
        return owner.session

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.scope = CrawlScope(spider.seed_urls, mode=settings.get("GOVREPORTS_SCOPE", "domain"),
                                  allow_hosts=settings.getlist("GOVREPORTS_ALLOW_HOSTS"))
        spider.analysis = WorkerProcesses(settings.getint("GOVREPORTS_ANALYSIS_PROCESSES", 0))
        crawler.signals.connect(spider.analysis.close, signal=signals.spider_closed)
        return spider  # type: ignore[no-any-return]

    def _counters(self, name: str) -> dict[str, Any]:
        return self._state(name, dict)  # type: ignore[no-any-return]

    def _state(self, name: str, kind: Callable[[], Any]) -> Any:
        state: dict[str, Any] | None = getattr(self, "state", None)
        if state is None:
            state = {}
            self.state = state
        if name not in state:
            state[name] = kind()
        return state[name]

    @property
    def _budgeted(self) -> KeySet:
        """URLs counted against their budgets (each once): 64-bit keys, not the URLs."""
        return self._state("budgeted", KeySet)  # type: ignore[no-any-return]

    @property
    def _listed(self) -> StatusMap:
        """What each URL reached by following links answered, by URL (kept as 64-bit keys)."""
        return self._state("listed", StatusMap)  # type: ignore[no-any-return]

    def _note_status(self, url: str, status: int | str | None, *, revalidating: bool) -> None:
        """Remember what the canonical ``url`` answered, and its host when in scope."""
        if revalidating:
            self._counters("revalidated")[url] = status
        else:
            self._listed[url] = status
        host = host_of(url)
        reached = self._counters("hosts_reached")
        if host not in reached and self._in_scope(url):
            reached[host] = 1

    def restore_state(self, *, scheduled: Iterable[tuple[str, dict[str, Any]]],
                      fetched: Iterable[tuple[str, str | None, int | None]]) -> None:
        """Rebuild budgets and what was seen from a resumed run's frontier and captures.

        ``scheduled``: (url, meta) of every request in the frontier; ``fetched``: (url, final
        url, status) of every capture, oldest first. Budgets count distinct scheduled URLs.
        """
        per_host, per_key = self._counters("pages_per_host"), self._counters("pages_per_trap_key")
        budgeted = self._budgeted
        revalidating: set[str] = set()
        for url, meta in scheduled:
            if meta.get(META_REVALIDATE):
                revalidating.add(canonicalize(url))
                continue
            url = (meta.get("redirect_urls") or [url])[0]  # a row holding a redirect: its first URL
            if meta.get("govreports_probe") or "jpage" in meta or url in self.seed_urls or url in budgeted:
                continue
            budgeted.add(url)
            host = host_of(url)
            per_host[host] = per_host.get(host, 0) + 1
            key = trap_key(url)
            if key:
                per_key[key] = per_key.get(key, 0) + 1
        for url, final_url, status in fetched:
            again = canonicalize(url) in revalidating
            for seen in {url, final_url or url}:
                self._note_status(canonicalize(seen), status, revalidating=again)

    @property
    def listed_urls(self) -> StatusMap:
        """URLs reached by following links, with what they answered: what the portal links to
        (looked up by URL; it cannot list them)."""
        return self._listed

    @property
    def unfinished_hosts(self) -> set[str]:
        """Hosts this crawl did not finish: page budget exhausted, or failing (backed off)."""
        hosts = set(self._counters("budget_exhausted"))
        throttled = self.crawler.stats.get_value(THROTTLE_STATS_KEY) or {}  # type: ignore[union-attr]
        hosts |= {host for host, figures in throttled.items() if figures.get("backoffs")}
        return hosts

    @property
    def revalidated(self) -> dict[str, int | str | None]:
        """Known report URLs no link led to, fetched directly: their status (an HTTP status,
        ``soft_404``, or None when the fetch failed)."""
        return dict(self._counters("revalidated"))

    def _note_fetch(self, request_meta: dict[str, Any], urls: Iterable[str],
                    status: int | str | None) -> None:
        revalidating = bool(request_meta.get(META_REVALIDATE))
        urls = list(urls)
        final = urls[0] if urls else ""
        for url in urls:
            answer = status
            if url != final and status == 200 and looks_like_list(final):
                answer = REDIRECT_HOME  # a known URL now leads to a home or list page
            self._note_status(canonicalize(url), answer, revalidating=revalidating)

    def revalidation_requests(self, known: Iterable[tuple[Any, Any]]) -> list[Request]:
        """Requests for known report URLs (report_documents, report) no link led to this time.

        The run owner schedules them once discovery is idle; the frontier drops those already
        asked, so calling this again (after a resume) asks nothing twice.
        """
        listed = self._listed
        pending: dict[str, Request] = {}
        for link, report in known:
            if link.url in listed or link.url in pending:
                continue
            context = {"title": report.title, "agency": report.agency, "year": report.year,
                       "published_on": report.published_on.isoformat() if report.published_on
                       else None}
            callback = self.parse_document if link.role == "attachment" else self.parse_page
            pending[link.url] = Request(link.url, callback=callback, errback=self.on_error,
                                        meta={META_REVALIDATE: True, "govreports_report": context})
        return list(pending.values())

    def _within_budget(self, url: str, *, exempt_trap: bool = False, search: bool = False) -> bool:
        """:meth:`_within_budgets` for one URL."""
        return self._within_budgets([(url, exempt_trap, search)])[0]

    def _within_budgets(self, wanted: Sequence[tuple[str, bool, bool]]) -> list[bool]:
        """Count each ``(url, exempt_trap, search)`` against its host's and trap pattern's budgets
        (each distinct URL once) or, with ``search``, against its host's site-search budget; in
        order, as one call per URL would. A distributed worker counts them all in one Redis
        round trip (``crawler.frontier.shared_budget``)."""
        budgeted = self._budgeted
        asks = [None if url in budgeted else
                BudgetAsk(url, host_of(url), None if exempt_trap or search else trap_key(url), search)
                for url, exempt_trap, search in wanted]
        budgets = self._budget_limits
        shared = self._shared_budget()
        remote: Iterator[str] | None = None
        new = [ask for ask in asks if ask is not None]
        if shared is not None and new:  # distributed: one count for all workers, in Redis
            remote = iter(shared.take_many(new, **budgets))
            self.crawler.stats.inc_value("govreports/redis/budget_calls")  # type: ignore[union-attr]
        results: list[bool] = []
        for ask in asks:
            answer = next(remote) if remote is not None and ask is not None else None
            if ask is None or ask.url in budgeted:  # counted already (maybe earlier in this batch)
                results.append(True)
                continue
            results.append(self._count_budget(ask, answer or self._local_answer(ask, **budgets)))
        return results

    @cached_property
    def _budget_limits(self) -> dict[str, int]:
        """The budgets of the crawl's settings (read once: settings are frozen while it runs)."""
        settings = self.crawler.settings
        return {"host_budget": settings.getint("GOVREPORTS_MAX_PAGES_PER_HOST"),
                "trap_budget": settings.getint("GOVREPORTS_MAX_PER_TRAP_KEY"),
                "search_budget": settings.getint("GOVREPORTS_SEARCH_MAX_PAGES")}

    def _local_answer(self, ask: BudgetAsk, *, host_budget: int, trap_budget: int,
                      search_budget: int) -> str:
        """A single process's budget answer for ``ask``, from the spider's own counters."""
        if ask.search:
            spent = self._counters("search_pages_per_host").get(ask.host, 0) >= search_budget
            return HOST_EXHAUSTED if spent else TAKEN
        if self._counters("pages_per_host").get(ask.host, 0) >= host_budget:
            return HOST_EXHAUSTED
        if ask.trap_key and self._counters("pages_per_trap_key").get(ask.trap_key, 0) >= trap_budget:
            return TRAP_EXHAUSTED
        return TAKEN

    def _count_budget(self, ask: BudgetAsk, answer: str) -> bool:
        """Record ``answer`` for ``ask`` in the spider's counters and stats; True when taken."""
        stats: Any = self.crawler.stats
        host = ask.host
        if ask.search:
            if answer != TAKEN:
                stats.inc_value("govreports/skipped/search_budget")
                return False
            per_search = self._counters("search_pages_per_host")
            per_search[host] = per_search.get(host, 0) + 1
        elif answer == HOST_EXHAUSTED:
            stats.inc_value("govreports/skipped/host_budget")
            self._counters("budget_exhausted")[host] = 1
            return False
        elif answer == TRAP_EXHAUSTED:
            stats.inc_value("govreports/skipped/trap")
            return False
        else:
            if ask.trap_key:
                per_key = self._counters("pages_per_trap_key")
                per_key[ask.trap_key] = per_key.get(ask.trap_key, 0) + 1
            per_host = self._counters("pages_per_host")
            per_host[host] = per_host.get(host, 0) + 1
        self._budgeted.add(ask.url)
        return True

    def _shared_budget(self) -> SharedBudget | None:
        """The run's budgets in Redis when this is a distributed worker (its scheduler's)."""
        engine = getattr(self.crawler, "engine", None)
        budget = getattr(getattr(engine, "scheduler", None), "shared_budget", None)
        return budget if isinstance(budget, SharedBudget) else None

    def _in_scope(self, url: str) -> bool:
        return self.scope.contains(url)

    # -- requests -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        for url in self.seed_urls:
            yield Request(url, callback=self.parse_page, errback=self.on_error, priority=1000)
            sitemap = urljoin(url, "/sitemap.xml")
            yield Request(sitemap, callback=self.parse_sitemap, errback=self.on_error,
                          priority=900, meta={"govreports_probe": True})

    def _follow(self, url: str, text: str, *, referrer_report: dict[str, Any] | None = None,
                base_priority: int = 0, search_hops: int = 0, list_page: bool = False
                ) -> Request | None:
        """A request for the link ``url`` when it is worth following and within budget."""
        requests = self._follow_all([(url, text)], referrer_report=referrer_report,
                                    base_priority=base_priority, search_hops=search_hops,
                                    list_page=list_page)
        return requests[0] if requests else None

    def _follow_all(self, links: Iterable[tuple[str, str]], *,
                    referrer_report: dict[str, Any] | None = None, base_priority: int = 0,
                    search_hops: int = 0, list_page: bool = False) -> list[Request]:
        """Requests for the ``(url, text)`` links worth following and within budget, in order;
        their budgets are counted together (one Redis round trip in a distributed run)."""
        return list(self._iter_follow(links, referrer_report=referrer_report,
                                      base_priority=base_priority, search_hops=search_hops,
                                      list_page=list_page))

    def _iter_follow(self, links: Iterable[tuple[str, str]], *,
                     referrer_report: dict[str, Any] | None = None, base_priority: int = 0,
                     search_hops: int = 0, list_page: bool = False) -> Iterator[Request]:
        """:meth:`_follow_all`, each request made only when the scheduler takes it: a sitemap
        may list the whole portal, and its requests are not all held at once."""
        pending: list[tuple[str, bool, Callable[[], Request]]] = []
        for url, text in links:
            prepared = self._prepare_follow(url, text, referrer_report=referrer_report,
                                            base_priority=base_priority, search_hops=search_hops,
                                            list_page=list_page)
            if prepared is not None:
                pending.append(prepared)
        search = search_hops > 0
        allowed = self._within_budgets([(url, exempt, search) for url, exempt, _ in pending])
        queued = None if list_page else self._already_queued()
        if queued is None:  # a list's pages are always yielded: the spider counts the ones it asks for
            return (make() for (_, _, make), ok in zip(pending, allowed, strict=True) if ok)
        return self._not_queued(pending, allowed, queued)

    def _not_queued(self, pending: list[tuple[str, bool, Callable[[], Request]]],
                    allowed: list[bool], queued: Callable[[Request], bool]) -> Iterator[Request]:
        """The allowed links' requests the frontier has not queued before (one it has would be
        dropped there as a duplicate). A URL found queued is remembered (a queued URL stays
        queued), so a navigation link repeated on every page makes no request at all."""
        remembered = self._queued_urls
        for (url, _, make), ok in zip(pending, allowed, strict=True):
            if not ok or url in remembered:
                continue
            request = make()
            if not queued(request):
                yield request
                continue
            if len(remembered) >= _REMEMBERED_QUEUED_URLS:
                remembered.clear()
            remembered.add(url)

    def _already_queued(self) -> Callable[[Request], bool] | None:
        """The scheduler's duplicate test (``DatabaseScheduler.already_queued``), if it has one."""
        engine = getattr(self.crawler, "engine", None)
        test = getattr(getattr(engine, "scheduler", None), "already_queued", None)
        return test if callable(test) else None

    def _prepare_follow(self, url: str, text: str, *, referrer_report: dict[str, Any] | None,
                        base_priority: int, search_hops: int, list_page: bool
                        ) -> tuple[str, bool, Callable[[], Request]] | None:
        """(canonical url, exempt from trap caps, the request to make if within budget) for a
        link worth following, else None."""
        if is_skipped_url(url):
            return None
        url = canonicalize(url)
        if not self._in_scope(url) or looks_like_trap(url):
            return None
        if is_attachment_url(url):
            context = self._attachment_context(text, url, referrer_report)
            if context is None:
                self.crawler.stats.inc_value("govreports/skipped/unrelated_attachment")  # type: ignore[union-attr]
                return None
            return url, False, partial(Request, url, callback=self.parse_document,
                                       errback=self.on_error, priority=500 + base_priority,
                                       meta={"govreports_report": context})
        if not list_page and self.archive.is_settled(url):
            self.crawler.stats.inc_value("govreports/skipped/settled")  # type: ignore[union-attr]
            return None
        meta: dict[str, Any] = {"link_text": text}
        if search_hops > 1:
            meta[META_SEARCH] = search_hops - 1
        if list_page:
            meta[META_LIST] = True
        return url, list_page, partial(Request, url, callback=self.parse_page, errback=self.on_error,
                                       priority=base_priority + link_score(url, text), meta=meta)

    @staticmethod
    def _attachment_context(text: str, url: str, referrer_report: dict[str, Any] | None
                            ) -> dict[str, Any] | None:
        """Which report an attachment link carries: from its text, else from the linking page."""
        parsed = parse_report_title(text) or parse_report_title(Path(urlsplit(url).path).stem)
        if parsed is not None:
            agency = clean_agency(parsed.agency)
            context = {"title": parsed.title, "agency": agency, "year": parsed.year,
                       "published_on": None, "identity_source": "link" if agency else None,
                       "template": template_era(parsed.year) if parsed.year < 2019 else None}
            if referrer_report and not context["agency"]:
                context["agency"] = referrer_report.get("agency")
                context["identity_source"] = referrer_report.get("identity_source")
            return context
        return dict(referrer_report) if referrer_report else None

    # -- callbacks ------------------------------------------------------------------------------

    def _decode(self, response: Response) -> str:
        charset = response.meta.get(META_CHARSET) or "utf-8"
        return response.body.decode(charset, errors="replace")

    def _http_error(self, response: Response) -> bool:
        soft_404 = response.meta.get(META_SOFT_404)
        self._note_fetch(response.meta, [response.url, *response.meta.get("redirect_urls", [])],
                         SOFT_404 if soft_404 else response.status)
        if soft_404:
            self.crawler.stats.inc_value("govreports/errors/soft_404")  # type: ignore[union-attr]
            return True
        if response.status < 400:
            return False
        if not response.meta.get("govreports_probe"):
            self.crawler.stats.inc_value(f"govreports/errors/http_{response.status}")  # type: ignore[union-attr]
        return True

    @judges_soft_404
    async def parse_page(self, response: Response) -> list[Request | ReportItem]:
        """An HTML page: is it a report? Then follow its links, lists and attachments.

        The page is read in a thread (:func:`crawler.discovery.analysis.analyze_page`), so a
        huge or hostile page never stalls the reactor; it is judged a soft 404 there too (the
        soft-404 middleware hands over the host's template). A coroutine returning a list, not an
        async generator: Scrapy then runs its spider middlewares on the plain list, without
        an async-generator layer per middleware for every request yielded.
        """
        if self._http_error(response):
            return []
        charset = response.meta.get(META_CHARSET)
        if not charset:
            # Not a page after all (a document served where a page was linked).
            return [*await self.parse_document(response)]
        analysis = await self.analysis.call(
            analyze_page, response.url, response.body, charset, max_links=self._max_links,
            link_text=response.meta.get("link_text", ""),
            find_search=self._wants_search_form(response.url),
            check_rendering=self._may_render(response), keep_page=False,
            soft_404=META_SOFT_404_TEMPLATE in response.meta,
            soft_404_template=response.meta.get(META_SOFT_404_TEMPLATE))
        # its capture's commit ran in the writer thread meanwhile (its report and rendering
        # requests name the capture)
        await committed_capture_id(response)
        if analysis.soft_404 is not None:
            self._soft_404(response, analysis.soft_404)
            return []
        return list(self._page_output(response, analysis))

    def _soft_404(self, response: Response, reason: str) -> None:
        """A page read as a soft 404: flagged and marked on its capture, noted as such."""
        assert response.request is not None
        flag_soft_404(response.request, reason, stats=self.crawler.stats,
                      session=lambda: self.archive)
        self._http_error(response)

    def _page_output(self, response: Response, analysis: PageAnalysis
                     ) -> Iterator[Request | ReportItem]:
        """What a read page leads to: its report, links, list pages, data lists, renderings."""
        self._count_dropped_links(analysis.links_dropped)
        context = analysis.context
        if context is not None and analysis.is_report:
            yield self._report_item(response, context, role="page")
        hops = response.meta.get(META_SEARCH, 0)
        # the list's own pages first: a 下一页 link is then a page of the list (as deep as the
        # list, crawler.middlewares.list_depth), not an ordinary link one level deeper
        yield from self._list_pages(response, analysis.title, analysis.links, hops, analysis.paging)
        yield from self._follow_all([(link.url, link.text) for link in analysis.links],
                                    referrer_report=context, search_hops=hops)
        yield from self._data_lists(response, analysis.scripts, analysis.data_queries)
        if analysis.script_built:
            yield from self._render_request(response)
        self._note_search_form(response, analysis.search_form)
        if analysis.jpage is not None:
            yield self._jpage_request(analysis.jpage.__dict__, start=1, list_url=response.url)

    @cached_property
    def _max_links(self) -> int:
        return self.crawler.settings.getint("GOVREPORTS_MAX_LINKS_PER_PAGE", 5000)

    def _count_dropped_links(self, dropped: int) -> None:
        if dropped:
            self.crawler.stats.inc_value("govreports/skipped/links_over_cap", dropped)  # type: ignore[union-attr]

    def _jpage_request(self, query: dict[str, Any], *, start: int, list_url: str,
                       previous: list[str] | None = None) -> Request:
        """The group of records from ``start`` (``previous``: the links of the group before it);
        a page of the list (``META_LIST``), as deep as the column page."""
        url = jpage_group_url(JpageQuery(**query), start)
        return FormRequest(url, formdata=query["fields"], callback=self.parse_jpage,
                           errback=self.on_error, priority=200,
                           meta={"jpage": query, "jpage_start": start, "list_url": list_url,
                                 META_PREVIOUS_LINKS: previous, META_LIST: True})

    async def parse_jpage(self, response: Response) -> list[Request | ReportItem]:
        """One group of a Hanweb jpage list: follow its records, then ask for the next group
        while this one brought new links, up to ``GOVREPORTS_LIST_PAGES_CEILING`` groups."""
        if self._http_error(response):
            return []
        list_url = response.meta["list_url"]
        links, total, n_records = await in_thread(
            jpage_links, list_url, response.body, response.meta.get(META_CHARSET) or "utf-8",
            max_links=self._max_links)
        query, start = response.meta["jpage"], response.meta["jpage_start"]
        group = (start - 1) // query["group_size"] + 1
        own = sorted({canonicalize(link.url) for link in links})
        if own and self._repeats("jpage", list_url, group, own, response.meta.get(META_PREVIOUS_LINKS)):
            return []  # the proxy ignores startrecord, or repeats its last group
        output: list[Request | ReportItem] = list(
            self._follow_all([(link.url, link.text) for link in links], base_priority=20))
        next_start = start + query["group_size"]
        more = total is not None and next_start <= total
        full = total is None and n_records >= query["group_size"]
        if not (more or full):
            return output
        if group >= self._list_ceiling:
            self._list_cut("jpage", "ceiling", list_url, group)
        else:
            output.append(self._jpage_request(query, start=next_start, list_url=list_url, previous=own))
        return output

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """A sitemap or sitemap index: follow every URL on our hosts."""
        if self._http_error(response):
            return
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # noqa: BLE001 - a broken sitemap is just not used
            self.crawler.stats.inc_value("govreports/errors/bad_sitemap")  # type: ignore[union-attr]
            return
        # A sitemap may list the whole portal: its URLs are followed a chunk at a time as they
        # are read (Scrapy's Sitemap parses as it goes), so at most one chunk's prepared
        # requests are held, not the portal's (issue 9: about 2 KB per sitemap URL at
        # once, measured at scale 10 and 25 with the URL caches filling; benchmarks/README.md).
        chunk: list[tuple[str, str]] = []
        for entry in sitemap:
            loc = entry.get("loc", "")
            if sitemap.type != "sitemapindex":
                chunk.append((loc, ""))
                if len(chunk) >= SITEMAP_CHUNK:
                    yield from self._iter_follow(chunk, base_priority=10)
                    chunk = []
            elif self._in_scope(loc):
                yield Request(loc, callback=self.parse_sitemap, errback=self.on_error,
                              meta={"govreports_probe": True})
        yield from self._iter_follow(chunk, base_priority=10)

    async def parse_document(self, response: Response) -> list[ReportItem]:
        """An attachment (pdf, doc, docx, wps…): a report when a report title led to it."""
        if self._http_error(response):
            return []
        context = response.meta.get("govreports_report")
        if not context:
            return []
        if not response.body.startswith(_DOCUMENT_MAGIC) and response.meta.get(META_CHARSET):
            self.crawler.stats.inc_value("govreports/errors/not_a_document")  # type: ignore[union-attr]
            return []
        await committed_capture_id(response)
        return [self._report_item(response, context, role="attachment")]

    def _report_item(self, response: Response, context: dict[str, Any], *, role: str) -> ReportItem:
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").split(";")[0]
        return ReportItem(
            url=response.url,
            capture_id=response.meta[META_CAPTURE_ID],
            sha256=response.meta[META_SHA256],
            role=role,
            title=context["title"],
            agency=context.get("agency"),
            year=context["year"],
            published_on=context.get("published_on"),
            content_type=content_type or None,
            filename=Path(urlsplit(response.url).path).name or None,
            identity_source=context.get("identity_source"),
            template=context.get("template"),
        )

    def on_error(self, failure: Failure) -> None:
        """A request that produced no usable response: count it and record why."""
        request = getattr(failure, "request", None)
        kind = error_kind(failure.value)
        if request is not None:
            self._note_fetch(request.meta, [request.url], None)
        if request is not None and request.meta.get("govreports_probe") and kind != "robots_disallowed":
            return
        self.crawler.stats.inc_value(f"govreports/errors/{kind}")  # type: ignore[union-attr]
        if request is not None and not request.meta.get(META_FAILURE_RECORDED):
            self.archive.record_failure(
                request, kind, f"{type(failure.value).__name__}: {failure.value}"
            )
        self.logger.info("fetch failed", extra={"url": getattr(request, "url", None), "kind": kind})
