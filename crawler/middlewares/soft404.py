"""Recognise soft 404s before the spider sees them (``crawler.fetch.soft404`` has the rules).

``SoftNotFoundMiddleware`` probes each host once, before its first request goes out, with a
made-up URL; when the host answers that with 200, the answer's text is the host's "not
found" template. A 200 HTML page that matches it, or says its item does not exist, is marked
``soft_404`` on its capture (the bytes stay archived as evidence) and flagged in
``response.meta`` so the spider neither archives it as a report nor follows it.

A callback marked :func:`judges_soft_404` (the spider's page reading) judges the page itself,
off the reactor, where the page is parsed anyway: the middleware then only hands it the host's
template (``META_SOFT_404_TEMPLATE``), and the callback calls :func:`flag_soft_404`. Judging
here means decoding the page and, on a host that answers nonsense URLs with 200, parsing all
of it on the reactor thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from crawler.archive.session import ArchiveSession
from crawler.discovery.urls import host_of
from crawler.fetch.soft404 import PageText, soft_404_reason
from crawler.middlewares.archive import META_CAPTURE_ID, META_CHARSET, pending_capture

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Response/request meta: why the page is a soft 404 (absent when it is not one).
META_SOFT_404 = "govreports_soft_404"
#: Request meta, set for a callback that judges soft 404s itself (:func:`judges_soft_404`): the
#: host's "not found" template fingerprint to compare the page with (None: by phrases only).
META_SOFT_404_TEMPLATE = "govreports_soft_404_template"
#: Request meta: the probe itself (not judged, not probed again).
META_NONSENSE_PROBE = "govreports_nonsense_probe"
#: ``captures.kind`` of the nonsense-URL probes.
PROBE_KIND = "probe"
_ROOT_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp",
                         "/index.php", "/default.html", "/default.htm", "/default.aspx"})


F = TypeVar("F", bound=Callable[..., Any])


def judges_soft_404(callback: F) -> F:
    """Mark a spider callback that judges its 200 pages itself (see the module docstring)."""
    callback.judges_soft_404 = True  # type: ignore[attr-defined]
    return callback


def flag_soft_404(request: Request, reason: str, *, stats: Any,
                  session: Callable[[], ArchiveSession]) -> None:
    """Flag ``request``'s answer as a soft 404 (``META_SOFT_404``) and mark its capture (in
    the run's archive ``session()``)."""
    request.meta[META_SOFT_404] = reason
    stats.inc_value("govreports/soft_404")
    capture = pending_capture(request)
    if capture is not None:
        session().mark_capture(request, capture, error_kind="soft_404", message=reason)


class SoftNotFoundMiddleware:
    """Mark 200 pages that mean "not found" as ``soft_404``.

    Settings: ``GOVREPORTS_SOFT_404`` (default True), ``GOVREPORTS_SOFT_404_PROBE`` (probe
    each host with a nonsense URL, default True).
    """

    def __init__(self, crawler: Crawler, *, probe: bool) -> None:
        self.crawler = crawler
        self.probe = probe
        self._probes: dict[str, asyncio.Event] = {}
        self._templates: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SoftNotFoundMiddleware:
        if not crawler.settings.getbool("GOVREPORTS_SOFT_404", True):
            raise NotConfigured("GOVREPORTS_SOFT_404 is off")
        return cls(crawler, probe=crawler.settings.getbool("GOVREPORTS_SOFT_404_PROBE", True))

    @staticmethod
    def nonsense_url(url: str) -> str:
        """A URL on ``url``'s host that no site serves (the same each crawl, so runs compare)."""
        parts = urlsplit(url)
        token = hashlib.sha1((parts.hostname or "").encode()).hexdigest()[:12]  # noqa: S324 - a name
        return f"{parts.scheme}://{parts.netloc}/govreports-no-such-page-{token}.html"

    async def process_request(self, request: Request) -> None:
        """Before a host's first request: fetch its answer to a nonsense URL (once)."""
        if (not self.probe or request.meta.get(META_NONSENSE_PROBE)
                or request.meta.get("dont_obey_robotstxt")
                or urlsplit(request.url).path == "/robots.txt"):
            return None  # the probe itself, or robots.txt (which the probe may be waiting for)
        host = host_of(request.url)
        event = self._probes.get(host)
        if event is not None:
            await event.wait()
            return None
        event = self._probes[host] = asyncio.Event()
        try:
            probe = Request(self.nonsense_url(request.url), dont_filter=True,
                            meta={META_NONSENSE_PROBE: True, "govreports_probe": True,
                                  "dont_retry": True, "dont_redirect": True})
            engine = self.crawler.engine
            assert engine is not None
            if hasattr(engine, "download_async"):  # Scrapy 2.14+
                response = await engine.download_async(probe)
            else:  # pragma: no cover - older Scrapy
                from scrapy.utils.defer import maybe_deferred_to_future

                response = await maybe_deferred_to_future(engine.download(probe))
            if probe.meta.get(META_CAPTURE_ID) is not None:  # provenance, not a page of the site
                self._session().mark_capture(request, probe.meta[META_CAPTURE_ID], kind=PROBE_KIND)
            if response.status == 200 and probe.meta.get(META_CHARSET):
                self._templates[host] = PageText.of(self._text(probe, response)).fingerprint()
                logger.info("host answers nonsense URLs with 200", extra={"host": host})
        except Exception as exc:  # noqa: BLE001 - no template: judged by phrases only
            logger.info("nonsense-URL probe failed", extra={"host": host, "error": repr(exc)})
        finally:
            event.set()
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        """Flag (and record on its capture) a 200 page that means "not found"."""
        if (response.status != 200 or request.meta.get(META_NONSENSE_PROBE)
                or not request.meta.get(META_CHARSET) or urlsplit(request.url).path == "/robots.txt"):
            return response
        template = self._templates.get(host_of(request.url))
        if urlsplit(request.url).path in _ROOT_PATHS:
            template = None  # a site answering nonsense with its home page keeps its home page
        if getattr(request.callback, "judges_soft_404", False):
            request.meta[META_SOFT_404_TEMPLATE] = template  # judged where the page is read
            return response
        reason = soft_404_reason(self._text(request, response), nonsense_fingerprint=template)
        if reason is not None:
            flag_soft_404(request, reason, stats=self.crawler.stats, session=self._session)
        return response

    def _session(self) -> ArchiveSession:
        """The run's archive session (from the run owner, as the wire middleware has it)."""
        from crawler.extensions.run_owner import RunOwner

        owner = self.crawler.get_extension(RunOwner)
        if owner is None:
            raise RuntimeError("the soft-404 middleware needs the RunOwner extension")
        return owner.session

    @staticmethod
    def _text(request: Request, response: Response) -> str:
        charset: Any = request.meta.get(META_CHARSET) or "utf-8"
        from crawler.fetch.content_encoding import decode_content

        try:
            body = decode_content(response.body, (response.headers.get("Content-Encoding") or b"").decode("latin-1"))
        except Exception:  # noqa: BLE001 - judged on the raw bytes then
            body = response.body
        return body.decode(charset, errors="replace")
