"""Who works on a distributed run: heartbeats in ``P:workers``, dead workers' requests reclaimed.

A worker is dead when its heartbeat is older than ``stale_after`` seconds, or at once when it
ran on this machine and its process is gone. Times are the Redis server's clock, so workers on
machines with skewed clocks agree.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import TYPE_CHECKING, Any, cast

from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.reliable_queue import reclaim
from storage.runlock import holder_alive

if TYPE_CHECKING:
    from redis import Redis


def new_worker_id() -> str:
    """``host:pid:random``: unique per process, and tells a local process apart from a remote one."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def text(value: Any) -> str:
    """A Redis reply as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def server_time(server: Redis) -> float:
    """The Redis server's clock, in seconds."""
    seconds, micros = cast(tuple[int, int], server.time())
    return float(seconds) + micros / 1e6


class WorkerRegistry:
    """Heartbeats and reclaiming for one run's workers."""

    def __init__(self, server: Redis, keys: RunKeys, *, stale_after: float) -> None:
        self.server = server
        self.keys = keys
        self.stale_after = stale_after

    def beat(self, worker: str) -> None:
        """``worker`` is alive now."""
        self.server.zadd(self.keys.workers, {worker: server_time(self.server)})

    def leave(self, worker: str) -> int:
        """``worker`` stops: what it held goes back to the queue; return how many."""
        return reclaim(self.server, self.keys, worker)

    def beats(self) -> dict[str, float]:
        """Every worker with a heartbeat → its time (dead ones not yet reclaimed included)."""
        rows: Any = self.server.zrange(self.keys.workers, 0, -1, withscores=True)
        return {text(worker): float(at) for worker, at in rows}

    def live(self) -> dict[str, float]:
        """Live workers → seconds since their heartbeat."""
        now = server_time(self.server)
        ages = {worker: now - at for worker, at in self.beats().items()}
        return {worker: age for worker, age in ages.items() if not self._dead(worker, age)}

    def _dead(self, worker: str, age: float) -> bool:
        if age > self.stale_after:
            return True
        host_pid = worker.rsplit(":", 1)[0]
        return holder_alive(host_pid) is False

    def holders(self) -> list[str]:
        """Workers with a processing hash (dead or alive)."""
        prefix = self.keys.processing("")
        return [text(k)[len(prefix):]
                for k in self.server.scan_iter(match=self.keys.processing_pattern, count=1000)]

    def reclaim_dead(self, *, this_worker: str | None = None) -> int:
        """Queue again what dead workers held; return how many requests."""
        now = server_time(self.server)
        beats = self.beats()
        moved = 0
        for worker in set(beats) | set(self.holders()):
            if worker == this_worker:
                continue
            age = now - beats[worker] if worker in beats else float("inf")
            if self._dead(worker, age):
                moved += reclaim(self.server, self.keys, worker)
        return moved

    def in_flight(self) -> int:
        """Requests held by any worker."""
        return sum(int(self.server.hlen(self.keys.processing(w))) for w in self.holders())
