"""Per-host page budgets and trap caps hold for all workers together, not per worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis

from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.shared_budget import HOST_EXHAUSTED, TAKEN, TRAP_EXHAUSTED, SharedBudget
from tests.distributed.helpers import crawl_with_a_worker

pytestmark = [pytest.mark.redis]
HUBS = 60
PAGES_PER_HUB = 20
BUDGET = 40  # more than one worker takes at once (CONCURRENT_REQUESTS 16): both parse hubs


def test_two_counters_share_one_budget(redis_url: str, run_key: str) -> None:
    keys = RunKeys(run_key)
    first = SharedBudget(redis.Redis.from_url(redis_url), keys)
    second = SharedBudget(redis.Redis.from_url(redis_url), keys)
    answers = [(first if i % 2 else second).take(f"http://a.gov.cn/p/{i}.html", "a.gov.cn", None,
                                                 host_budget=5, trap_budget=30)
               for i in range(10)]
    assert answers.count(TAKEN) == 5 and answers[5:] == [HOST_EXHAUSTED] * 5
    # a URL already counted (by the other worker) is counted again by neither
    assert second.take("http://a.gov.cn/p/1.html", "a.gov.cn", None, host_budget=5,
                       trap_budget=30) == TAKEN
    assert first.host_counts() == {"a.gov.cn": 5}
    traps = [first.take(f"http://b.gov.cn/list?page={i}", "b.gov.cn", "b.gov.cn/list?page",
                        host_budget=100, trap_budget=3) for i in range(5)]
    assert traps == [TAKEN] * 3 + [TRAP_EXHAUSTED] * 2
    assert second.host_counts()["b.gov.cn"] == 3
    searches = [(first if i % 2 else second).take_search(f"http://c.gov.cn/s?q=年报&p={i}",
                                                         "c.gov.cn", budget=2) for i in range(4)]
    assert searches == [TAKEN] * 2 + [HOST_EXHAUSTED] * 2
    assert "c.gov.cn" not in first.host_counts()  # the search budget is a budget of its own


@pytest.fixture
def tree_site(redis_url: str, run_key: str) -> Iterator[tuple[str, set[str]]]:
    """A host whose home page (answered once both workers heartbeat) links to hubs, each
    linking to pages of its own: whichever worker parses a hub finds new URLs."""
    fetched: set[str] = set()
    lock = threading.Lock()
    workers = redis.Redis.from_url(redis_url)

    def both_workers_up() -> None:
        deadline = time.monotonic() + 60
        while workers.zcard(RunKeys(run_key).workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            status, body = 200, ""
            if self.path == "/":
                both_workers_up()
                body = "".join(f'<li><a href="/hub/{i}.html">通知公告 {i}</a></li>' for i in range(HUBS))
            elif self.path.startswith("/hub/"):
                time.sleep(0.5)
                hub = self.path.split("/")[-1].split(".")[0]
                body = "".join(f'<li><a href="/p/{hub}-{j}.html">政府信息公开 {hub}-{j}</a></li>'
                               for j in range(PAGES_PER_HUB))
            elif self.path.startswith("/p/"):
                time.sleep(0.2)
                body = "<p>政府信息公开 新闻</p>"
            else:
                status, body = 404, "not found"
            if status == 200 and self.path != "/":
                with lock:
                    fetched.add(self.path)
            data = f"<html><body><ul>{body}</ul></body></html>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", fetched
    server.shutdown()
    server.server_close()


@pytest.mark.postgres
def test_two_workers_share_one_hosts_page_budget(tmp_path: Path, tree_site: tuple[str, set[str]],
                                                 pg_url: str, redis_url: str, run_key: str) -> None:
    seed, fetched = tree_site
    archive = str(tmp_path / "archive")
    crawl_with_a_worker(seed, redis_url=redis_url, run_key=run_key, pg_url=pg_url, archive=archive, extra=("--max-pages-per-host", str(BUDGET)))
    pages = sorted(path for path in fetched if path.startswith("/p/"))
    print(f"pages fetched besides the home page: {len(fetched)} (budget {BUDGET}); "
          f"leaf pages {len(pages)}")
    assert len(fetched) <= BUDGET, sorted(fetched)
    assert len(fetched) == BUDGET  # the budget, not a lack of links, is what stopped the crawl
