"""A crawl against a host that pushes back: Crawl-delay spaces requests, 429 Retry-After pauses
the host, and the run summary says which host was throttled and by how much."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.cli.main import LOCAL_SETTINGS
from crawler.run.runner import CrawlOptions, run_crawl
from tests.http_helpers import QuietHandler, serving

PAGES = {
    "/robots.txt": "User-agent: *\nCrawl-delay: 0.4\n",
    "/": '<html><body><a href="/a.html">a</a><a href="/b.html">b</a><a href="/busy.html">busy</a></body></html>',
    "/a.html": "<html><body><p>a</p></body></html>",
    "/b.html": "<html><body><p>b</p></body></html>",
    "/busy.html": "<html><body><p>busy, then fine</p></body></html>",
}


class _Handler(QuietHandler):
    log: list[tuple[float, str, int]]
    busy_answers: list[int]

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/busy.html" and not self.busy_answers:
            self.busy_answers.append(429)
            self._send(429, "<html><body>too many requests</body></html>", {"Retry-After": "1"})
            return
        body = PAGES.get(path)
        if body is None:
            self._send(404, "<html><body>not here</body></html>")
            return
        ctype = "text/plain" if path.endswith(".txt") else "text/html; charset=utf-8"
        self._send(200, body, {"Content-Type": ctype})

    def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        self.log.append((time.monotonic(), self.path, status))
        self.send_body(status, body, headers)


@pytest.fixture()
def server() -> Iterator[tuple[str, list[tuple[float, str, int]]]]:
    log: list[tuple[float, str, int]] = []
    handler = type("H", (_Handler,), {"log": log, "busy_answers": []})
    with serving(handler) as base_url:
        yield base_url, log


def test_crawl_delay_and_retry_after_are_honoured(server: tuple[str, list[tuple[float, str, int]]],
                                                  tmp_path: Path) -> None:
    base, log = server
    summary = run_crawl(CrawlOptions(seeds=[base + "/"], db_url=f"sqlite:///{tmp_path / 'a.db'}",
                                     archive_dir=tmp_path / "archive", progress=False,
                                     settings=dict(LOCAL_SETTINGS)))
    assert summary.status == "completed"
    paths = [path for _, path, _ in log]
    assert paths.count("/busy.html") == 2, paths
    after_robots = [t for t, path, _ in log if path != "/robots.txt"]
    gaps = [b - a for a, b in zip(after_robots, after_robots[1:], strict=False)]
    assert gaps and min(gaps) >= 0.35, gaps  # Crawl-delay 0.4 s (timer slack allowed)
    busy = [t for t, path, _ in log if path == "/busy.html"]
    assert busy[1] - busy[0] >= 0.95  # Retry-After: 1
    host = base.removeprefix("http://")
    figures = summary.throttled[host]
    assert figures["crawl_delay_s"] == 0.4
    assert figures["retry_after"] == 1 and figures["retry_after_s"] == 1.0
    assert figures["waited_s"] > 0
    assert f"{host} waited" in summary.render()
    assert summary.counts()["throttled"] == summary.throttled
