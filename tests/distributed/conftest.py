"""Fixtures of the distributed tests: a Redis run key of their own, a PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.storage.conftest import pg_url  # noqa: F401 - the fixture, for these tests

REDIS_URL = "redis://127.0.0.1:6379/0"


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
