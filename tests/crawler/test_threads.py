"""in_thread: blocking work runs in a pool thread; results and exceptions come back."""

from __future__ import annotations

import asyncio
import threading

import pytest

from crawler.threads import in_thread


def _where(tag: str, *, boom: bool = False) -> tuple[str, str]:
    if boom:
        raise ValueError(f"bad {tag}")
    return tag, threading.current_thread().name


def test_runs_in_a_pool_thread_and_returns() -> None:
    tag, thread = asyncio.run(in_thread(_where, "page"))
    assert tag == "page" and thread.startswith("govreports-work")
    assert thread != threading.current_thread().name


def test_exceptions_reach_the_caller() -> None:
    with pytest.raises(ValueError, match="bad page"):
        asyncio.run(in_thread(_where, "page", boom=True))


def test_calls_overlap() -> None:
    """Ten blocking calls waiting on one another finish: they run on ten threads at once."""
    barrier = threading.Barrier(10, timeout=10)

    async def all_of_them() -> list[int]:
        return list(await asyncio.gather(*(in_thread(barrier.wait) for _ in range(10))))

    assert sorted(asyncio.run(all_of_them())) == list(range(10))
