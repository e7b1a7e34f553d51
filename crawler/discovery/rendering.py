"""Pages whose list only a browser can see: tell them apart, and render them in headless Chromium.

:func:`looks_script_built` is the gate: a page is rendered only when its list container is
empty in the HTML, its scripts build the DOM, and no data request was found in them (those
are called directly, see ``datalists``). :class:`Renderer` drives Debian's Chromium through
Playwright's async API on the crawl's own asyncio loop (the reactor is asyncio-based), so
rendering never blocks the crawl; it is bounded per host (pages) and per page (seconds),
and the browser may only fetch URLs the crawl's scope allows. A page whose ``load`` event
does not come in time (its scripts may not have run: a stylesheet or script held up on a busy
machine) is loaded again with twice the time before its DOM is kept (issue 14: a list only a
browser sees was kept empty, and its report lost, on a loaded machine); a page that loads
but whose network never idles keeps the DOM it has when the time is up.

Memory: the browser is Debian's ``chromium-headless-shell`` when installed (the old headless
mode without the browser UI: its largest process peaks about 105 MB against about 225 MB for
``chromium --headless``), started with flags that leave out extensions, sync, the zygote and
more than one renderer; the Playwright driver (Node) gets a small young generation.

Settings: ``GOVREPORTS_RENDER`` (default True), ``GOVREPORTS_RENDER_MAX_PER_HOST`` (20; two pages are open at once),
``GOVREPORTS_RENDER_TIMEOUT`` (seconds per page, 15), ``GOVREPORTS_CHROMIUM`` (empty: the
headless shell when installed, else ``/usr/bin/chromium``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crawler.discovery.pages import Page
from crawler.errors import FetchError

logger = logging.getLogger(__name__)

HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                 "--disable-extensions", "--disable-sync", "--no-zygote", "--renderer-process-limit=1")
#: Node options for the Playwright driver: a 1 MB young generation takes ~20 MB off its RSS.
DRIVER_NODE_OPTIONS = "--max-semi-space-size=1"
_DOM_WRITES = re.compile(
    r"innerHTML|document\.write|\.html\s*\(|\.append(?:Child|To)?\s*\(|insertAdjacentHTML|"
    r"createElement|\.render\s*\(|new\s+Vue|ReactDOM|v-for|ng-repeat|template",
    re.I,
)
_LIST_CONTAINER = re.compile(r"list|news|article|content|info|xxgk|gk|data|items|result|wj|doc", re.I)
_SKIPPED_RESOURCES = ("image", "media", "font", "stylesheet")


def looks_script_built(page: Page) -> bool:
    """True when ``page``'s list is left empty in the HTML for its scripts to fill."""
    scripts = page.scripts()
    if not scripts or not _DOM_WRITES.search(scripts):
        return False
    for node in page.selector.xpath("//body//ul|//body//ol|//body//tbody|//body//div|//body//table"):
        marker = f"{node.attrib.get('id', '')} {node.attrib.get('class', '')}"
        if not marker.strip() or not _LIST_CONTAINER.search(marker):
            continue
        if not node.xpath(".//a[@href]") and not "".join(node.xpath(".//text()").getall()).strip():
            return True
    return False


@dataclass(frozen=True)
class Rendered:
    """A page as the browser left it: the serialized DOM and which browser made it."""

    url: str
    html: str
    browser: str


def default_chromium() -> str:
    """The lightest browser installed: the headless shell, else Chromium."""
    return HEADLESS_SHELL if os.access(HEADLESS_SHELL, os.X_OK) else CHROMIUM


class Renderer:
    """Renders pages in one headless Chromium, started on first use and closed with the crawl."""

    def __init__(self, *, executable: str = "", timeout: float = 15.0,
                 max_per_host: int = 20, max_open: int = 2, attempts: int = 2) -> None:
        #: The browser executable (empty: :func:`default_chromium`).
        self.executable = executable or default_chromium()
        self.timeout = timeout
        #: Loads of a page whose ``load`` event does not come in time (attempt n: n × timeout).
        self.attempts = max(1, attempts)
        self.max_per_host = max_per_host
        #: Pages open in the browser at once (more wait their turn).
        self.max_open = max_open
        self._open: asyncio.Semaphore | None = None
        self._starting: asyncio.Lock | None = None
        self._per_host: dict[str, int] = {}
        self._playwright: Any = None
        self._browser: Any = None

    def allow(self, host: str) -> bool:
        """Take one rendering from ``host``'s budget; False when it is spent."""
        used = self._per_host.get(host, 0)
        if used >= self.max_per_host:
            return False
        self._per_host[host] = used + 1
        return True

    async def _ensure_browser(self) -> Any:
        # one launch at a time: two pages opened together must not start two browsers (the
        # first one would be left running, unclosed, until the crawl ends)
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._browser is None:
                from playwright.async_api import async_playwright

                driver = await _start_driver(async_playwright())
                try:
                    self._browser = await driver.chromium.launch(
                        executable_path=self.executable, args=list(CHROMIUM_ARGS))
                except BaseException:
                    await driver.stop()
                    raise
                self._playwright = driver
        return self._browser

    async def render(self, url: str, *, allowed: Callable[[str], bool],
                     keep_partial: bool = True) -> Rendered:
        """Load ``url`` (fetching only URLs ``allowed`` accepts) and return the DOM when the
        network is idle or the time is up. Raises :class:`RenderError` when it cannot, and
        :class:`RenderIncomplete` when the page never loaded and not ``keep_partial``."""
        if self._open is None:
            self._open = asyncio.Semaphore(self.max_open)
        async with self._open:
            return await self._render(url, allowed, keep_partial)

    async def _render(self, url: str, allowed: Callable[[str], bool], keep_partial: bool) -> Rendered:
        """Load ``url`` until its ``load`` event, trying again (with more time) when it does not
        come in time; then wait for the network to idle, keeping the DOM when it never does."""
        from playwright.async_api import Error as PlaywrightError

        try:
            browser = await self._ensure_browser()
        except PlaywrightError as exc:
            raise RenderError(f"cannot start Chromium ({self.executable}): {exc}") from exc
        html: str | None = None
        attempt = 0
        while html is None:
            attempt += 1
            if attempt > 1:
                logger.info("page did not load in time; rendering it again",
                            extra={"url": url, "attempt": attempt, "seconds": self.timeout * attempt})
            try:
                context = await browser.new_context(java_script_enabled=True, ignore_https_errors=True)
            except PlaywrightError as exc:
                raise RenderError(f"cannot start Chromium ({self.executable}): {exc}") from exc
            try:
                html = await self._load(context, url, allowed, timeout=self.timeout * attempt,
                                        last=attempt >= self.attempts, keep_partial=keep_partial)
            except PlaywrightError as exc:
                raise RenderError(f"rendering {url} failed: {exc}") from exc
            finally:
                await context.close()
        return Rendered(url, html, f"Chromium/{browser.version}")

    async def _load(self, context: Any, url: str, allowed: Callable[[str], bool], *,
                    timeout: float, last: bool, keep_partial: bool) -> str | None:
        """The page's DOM once loaded and its network idle (or ``timeout`` seconds are up);
        None when the ``load`` event did not come in time, unless this is the ``last`` attempt
        (then the DOM so far, with a warning: its scripts may not have run; or, when not
        ``keep_partial``, :class:`RenderIncomplete`)."""
        from playwright.async_api import Error as PlaywrightError

        page = await context.new_page()
        page.set_default_timeout(timeout * 1000)

        async def gate(route: Any) -> None:
            request = route.request
            if request.resource_type in _SKIPPED_RESOURCES or not allowed(request.url):
                await route.abort()
            else:
                await route.continue_()

        await page.route("**/*", gate)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            await page.goto(url, wait_until="load", timeout=timeout * 1000)
        except PlaywrightError as exc:
            if "Timeout" not in str(exc):
                raise
            if not last:
                return None
            if not keep_partial:
                raise RenderIncomplete(f"{url} did not load within {timeout:g} s") from exc
            logger.warning("rendered page never finished loading; keeping the DOM so far "
                           "(its scripts may not have run)", extra={"url": url, "seconds": timeout})
            return str(await page.content())
        try:
            await page.wait_for_load_state("networkidle",
                                           timeout=max(deadline - loop.time(), 0.001) * 1000)
        except PlaywrightError as exc:
            if "Timeout" not in str(exc):
                raise
            logger.info("rendering timed out; keeping the DOM so far", extra={"url": url})
        return str(await page.content())

    async def close(self, timeout: float = 15.0) -> None:
        """Close the browser (a later render starts a new one); gives up after ``timeout``
        seconds, so a wedged browser or driver cannot hold the crawl's close."""
        browser, driver = self._browser, self._playwright
        self._browser = self._playwright = None
        try:
            if browser is not None:
                await asyncio.wait_for(browser.close(), timeout)
            if driver is not None:
                await asyncio.wait_for(driver.stop(), timeout)
        except Exception as exc:  # noqa: BLE001 - closing (or timing out) must not fail the crawl
            logger.warning("closing Chromium failed; going on", extra={"error": repr(exc)})


async def _start_driver(manager: Any) -> Any:
    """Start the Playwright driver with :data:`DRIVER_NODE_OPTIONS` (unless NODE_OPTIONS is
    set already); the driver copies the environment when it starts."""
    if "NODE_OPTIONS" in os.environ:
        return await manager.start()
    os.environ["NODE_OPTIONS"] = DRIVER_NODE_OPTIONS
    try:
        return await manager.start()
    finally:
        os.environ.pop("NODE_OPTIONS", None)


class RenderError(FetchError):
    """A page could not be rendered (no browser, a crash, a navigation error)."""


class RenderIncomplete(RenderError):
    """A page's ``load`` event never came in time (its list scripts may not have run)."""
