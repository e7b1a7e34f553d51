"""Two workers never double a host's concurrency: measured at the server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.distributed.helpers import crawl_with_a_worker
from tests.http_helpers import QuietHandler, serving

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
PAGES = 120
PER_HOST = 8  # --local: CONCURRENT_REQUESTS_PER_DOMAIN


class _Counting:
    """Requests in progress at the server, and the most seen at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.max = 0
        self.total = 0

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.total += 1
            self.max = max(self.max, self.now)

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.now -= 1


@pytest.fixture
def slow_site() -> Iterator[tuple[str, _Counting]]:
    counting = _Counting()

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            with counting:
                time.sleep(0.4)
                if self.path == "/":
                    links = "".join(f'<li><a href="/news/{i}.html">通知公告 {i}</a></li>'
                                    for i in range(PAGES))
                    body = f"<html><body><ul>{links}</ul></body></html>"
                    status = 200
                elif self.path.startswith("/news/"):
                    body = "<html><body><p>政府信息公开 新闻</p></body></html>"
                    status = 200
                else:
                    body, status = "not found", 404
                self.send_body(status, body)

    with serving(Handler) as base_url:
        yield f"{base_url}/", counting


def test_two_workers_share_one_hosts_slots(tmp_path: Path, slow_site: tuple[str, _Counting],
                                           pg_url: str, redis_url: str, run_key: str) -> None:
    seed, counting = slow_site
    archive = str(tmp_path / "archive")
    crawl_with_a_worker(seed, redis_url=redis_url, run_key=run_key, pg_url=pg_url, archive=archive)
    assert counting.total >= PAGES
    print(f"max concurrent at the host: {counting.max} (limit {PER_HOST}), requests {counting.total}")
    assert counting.max <= PER_HOST, counting.max
    assert counting.max >= PER_HOST // 2  # the host was kept busy: the limit was what held it
