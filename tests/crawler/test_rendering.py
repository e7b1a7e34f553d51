"""Script-built list pages: which pages are rendered, and rendering in headless Chromium
(a real browser against a local server on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.discovery.pages import Page
from crawler.discovery.rendering import (
    HEADLESS_SHELL,
    Renderer,
    RenderError,
    RenderIncomplete,
    default_chromium,
    looks_script_built,
)
from tests.http_helpers import QuietHandler, serving

CHROMIUM = "/usr/bin/chromium"
BROWSERS = [pytest.param(CHROMIUM, id="chromium"),
            pytest.param(HEADLESS_SHELL, id="headless-shell", marks=pytest.mark.skipif(
                not Path(HEADLESS_SHELL).exists(), reason="chromium-headless-shell is not installed"))]
LIST = """<html><head><meta charset="utf-8"></head><body>
<ul id="docList" class="doc-list"></ul>
<script>
var items = [{t: "2023年度政府信息公开工作年度报告", u: "/nb/2023.html"}];
var ul = document.getElementById('docList');
for (var i = 0; i < items.length; i++) { var li = document.createElement('li');
  li.innerHTML = '<a href="' + items[i].u + '">' + items[i].t + '</a>'; ul.appendChild(li); }
var img = new Image(); img.src = "http://elsewhere.invalid/track.gif";
fetch("http://elsewhere.invalid/beacon").catch(function(){});
</script></body></html>"""


def test_script_built_lists_are_told_apart() -> None:
    assert looks_script_built(Page("http://x.gov.cn/a/", LIST))
    static = LIST.replace('<ul id="docList" class="doc-list"></ul>',
                          '<ul id="docList" class="doc-list"><li><a href="/nb/1.html">x</a></li></ul>')
    assert not looks_script_built(Page("http://x.gov.cn/a/", static))
    assert not looks_script_built(Page("http://x.gov.cn/a/", "<ul class='list'></ul><p>no scripts</p>"))
    assert not looks_script_built(Page("http://x.gov.cn/a/", "<div class='list'></div><script>var a = 1;</script>"))


#: The list of LIST, drawn after a script the page must load first (the load event waits for it).
HELD_UP = LIST.replace("<ul id=\"docList\"", "<script src=\"/held-up.js\"></script><ul id=\"docList\"")
#: How long /held-up.js takes the first time it is asked (then it answers at once).
HELD_UP_SECONDS = 4.0


class _Handler(QuietHandler):
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.seen.append(self.path)
        body = LIST.encode() if self.path == "/list/" else b"<html><body>slow</body></html>"
        if self.path == "/held-up/":
            body = HELD_UP.encode()
        if self.path == "/held-up.js":
            body = b"var ready = true;"
            if self.seen.count(self.path) == 1:
                threading.Event().wait(HELD_UP_SECONDS)
        if self.path == "/never-loads/":
            body = HELD_UP.replace("/held-up.js", "/late.js").encode()
        if self.path == "/late.js":
            body = b"var late = true;"
            threading.Event().wait(HELD_UP_SECONDS)
        if self.path == "/hang/":
            body = b"<html><body><script>fetch('/never')</script></body></html>"
        if self.path == "/never":
            threading.Event().wait(5)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_body(200, body)  # the browser may give up on /never: that is the point


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(_Handler) as base_url:
        yield base_url


needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@needs_chromium
@pytest.mark.parametrize("browser", BROWSERS)
def test_rendering_reads_the_list_and_stays_in_scope(server: str, browser: str) -> None:
    renderer = Renderer(executable=browser, timeout=10, max_per_host=1)

    async def run() -> str:
        try:
            rendered = await renderer.render(server + "/list/", allowed=lambda url: url.startswith(server))
            assert rendered.browser.startswith("Chromium/")
            return rendered.html
        finally:
            await renderer.close()

    html = asyncio.run(run())
    links = Page(server + "/list/", html).links()
    assert [(link.url, link.text) for link in links] == [(server + "/nb/2023.html", "2023年度政府信息公开工作年度报告")]
    assert renderer.allow("h") and not renderer.allow("h")


@needs_chromium
def test_rendering_is_bounded_in_time(server: str) -> None:
    renderer = Renderer(executable=CHROMIUM, timeout=1.5)

    async def run() -> str:
        try:
            return (await renderer.render(server + "/hang/", allowed=lambda url: True)).html
        finally:
            await renderer.close()

    assert "<script>" in asyncio.run(run())  # the DOM so far, once the time is up


@needs_chromium
def test_a_page_that_does_not_load_in_time_is_rendered_again(server: str) -> None:
    # on a busy machine a script or stylesheet the page waits for came late: the time was up
    # before the list's script ran and the empty list was kept, losing its report (issue 14)
    renderer = Renderer(executable=CHROMIUM, timeout=1.5)

    async def run() -> str:
        try:
            return (await renderer.render(server + "/held-up/", allowed=lambda url: True)).html
        finally:
            await renderer.close()

    links = Page(server + "/held-up/", asyncio.run(run())).links()
    assert [link.url for link in links] == [server + "/nb/2023.html"]
    assert _Handler.seen.count("/held-up.js") == 2


@needs_chromium
def test_a_page_that_never_loads_is_an_error_when_its_dom_is_not_wanted(server: str) -> None:
    # the spider asks for no half-drawn DOM before its last try: it queues the page again
    renderer = Renderer(executable=CHROMIUM, timeout=1.0, attempts=1)

    async def run(keep_partial: bool) -> str:
        try:
            return (await renderer.render(server + "/never-loads/", allowed=lambda url: True,
                                          keep_partial=keep_partial)).html
        finally:
            await renderer.close()

    with pytest.raises(RenderIncomplete, match="did not load within 1 s"):
        asyncio.run(run(False))
    html = asyncio.run(run(True))  # the last try keeps what there is: parsing stopped at the script
    assert '<script src="/late.js">' in html and "/nb/2023.html" not in html


def test_the_default_browser_is_the_headless_shell_when_installed() -> None:
    expected = HEADLESS_SHELL if Path(HEADLESS_SHELL).exists() else CHROMIUM
    assert default_chromium() == expected
    assert Renderer().executable == expected
    assert Renderer(executable="/opt/x/chrome").executable == "/opt/x/chrome"


def _drivers() -> int:
    """Playwright drivers (Node) running as children of this process."""
    count = 0
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_bytes()
            if entry.name.isdigit() and int(stat[stat.rfind(b")") + 2:].split()[1]) == os.getpid():
                count += b"run-driver" in (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
    return count


@needs_chromium
def test_two_pages_opened_together_start_one_browser(server: str) -> None:
    renderer = Renderer(timeout=10, max_open=2)

    async def run() -> int:
        try:
            pages = await asyncio.gather(*(renderer.render(server + "/list/", allowed=lambda url: True)
                                           for _ in range(2)))
            assert all("2023年度" in page.html for page in pages)
            return _drivers()
        finally:
            await renderer.close()

    assert asyncio.run(run()) == 1
    assert _drivers() == 0


def test_a_missing_browser_is_a_clear_error() -> None:
    renderer = Renderer(executable="/nonexistent/chromium", timeout=2)

    async def run() -> None:
        try:
            await renderer.render("http://127.0.0.1:9/", allowed=lambda url: True)
        finally:
            await renderer.close()

    with pytest.raises(RenderError, match="cannot start Chromium"):
        asyncio.run(run())


@needs_chromium
def test_a_parse_worker_started_after_the_browser_does_not_hold_its_close(
        server: str, caplog: pytest.LogCaptureFixture) -> None:
    """A crawl renders a page, then parses a document (starting the parse worker): closing
    the browser must still finish. A forked worker used to inherit the driver's stdin and keep
    it open, so the crawl's close waited forever (the third crawl of the PostgreSQL test)."""
    from crawler.parsing import parse_bytes
    from crawler.parsing.api import _WORKER

    _WORKER._stop()  # the next parse starts a new worker, after the browser
    renderer = Renderer(executable=CHROMIUM, timeout=10)

    async def run() -> float:
        await renderer.render(server + "/list/", allowed=lambda url: url.startswith(server))
        outcome = await asyncio.to_thread(parse_bytes, b"<p>not a report</p>", filename="x.html")
        assert outcome.status == "not_a_report"
        start = asyncio.get_running_loop().time()
        await renderer.close(timeout=20)
        return asyncio.get_running_loop().time() - start

    with caplog.at_level("WARNING", logger="crawler.discovery.rendering"):
        took = asyncio.run(run())
    assert "closing Chromium failed" not in caplog.text, caplog.text
    assert took < 20
