"""Fixtures of the distributed tests: a Redis run key of their own, a PostgreSQL database."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from tests.http_helpers import QuietHandler, serving
from tests.storage.conftest import pg_url  # noqa: F401 - the fixture, for these tests

REDIS_URL = "redis://127.0.0.1:6379/0"
#: The tree site: hubs linked from its home page, pages linked from each hub.
HUBS = 60
PAGES_PER_HUB = 20


@pytest.fixture
def redis_url() -> str:
    """The Redis server's URL; fail (CI) or skip when it does not answer."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        message = f"Redis not reachable at 127.0.0.1:6379: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
def run_key(redis_url: str) -> Iterator[str]:
    """A run key of this test alone; its keys are deleted afterwards."""
    import redis

    key = f"test-{uuid.uuid4().hex[:12]}"
    yield key
    server = redis.Redis.from_url(redis_url)
    names = list(server.scan_iter(match=f"govreports:{key}:*", count=1000))
    if names:
        server.delete(*names)


@pytest.fixture
def tree_site(redis_url: str, run_key: str) -> Iterator[tuple[str, set[str]]]:
    """A host whose home page (answered once both workers heartbeat) links to hubs, each
    linking to pages of its own: whichever worker parses a hub finds new URLs."""
    import redis

    from crawler.frontier.redis_keys import RunKeys

    fetched: set[str] = set()
    lock = threading.Lock()
    workers = redis.Redis.from_url(redis_url)

    def both_workers_up() -> None:
        deadline = time.monotonic() + 60
        while workers.zcard(RunKeys(run_key).workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)

    class Handler(QuietHandler):
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
            self.send_body(status, f"<html><body><ul>{body}</ul></body></html>")

    with serving(Handler) as base_url:
        yield f"{base_url}/", fetched
