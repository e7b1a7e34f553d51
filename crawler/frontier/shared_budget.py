"""Per-host page budgets and trap caps shared by every worker of a distributed run.

A single process counts budgets in its spider (``PortalSpider._within_budget``). With N
workers those counters would be per worker, so a host could get N× its budget. Here one Lua
script checks and counts a new URL atomically in Redis: the URL (as a 16-byte digest) in the
run's ``budgeted`` set, its host's count in ``pages_per_host``, its trap key's count in
``pages_per_trap_key`` (site-search pages: ``search_pages_per_host``). A URL counted once is never counted again, whichever worker meets it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from crawler.frontier.redis_keys import RunKeys

if TYPE_CHECKING:
    from redis import Redis

#: Answers of :meth:`SharedBudget.take`.
TAKEN, HOST_EXHAUSTED, TRAP_EXHAUSTED = "taken", "host", "trap"

_TAKE = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
local host = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if host >= tonumber(ARGV[4]) then return 0 end
if ARGV[3] ~= '' then
  local key = tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0')
  if key >= tonumber(ARGV[5]) then return -1 end
  redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""


class SharedBudget:
    """Count URLs against per-host and per-trap-key budgets held in Redis (see module docstring)."""

    def __init__(self, server: Redis, keys: RunKeys) -> None:
        self.server = server
        self.keys = keys
        self._take = server.register_script(_TAKE)

    def take(self, url: str, host: str, trap_key: str | None, *, host_budget: int,
             trap_budget: int) -> str:
        """Count ``url`` (once for the whole run) unless its host's or trap key's budget is spent:
        :data:`TAKEN`, :data:`HOST_EXHAUSTED` or :data:`TRAP_EXHAUSTED`."""
        digest = hashlib.sha1(url.encode("utf-8")).digest()[:16]  # noqa: S324 - a set key, not security
        answer = int(self._take(keys=[self.keys.budgeted, self.keys.pages_per_host,
                                      self.keys.pages_per_trap_key],
                                args=[digest, host, trap_key or "", host_budget, trap_budget]))
        return {1: TAKEN, 0: HOST_EXHAUSTED}.get(answer, TRAP_EXHAUSTED)

    def take_search(self, url: str, host: str, *, budget: int) -> str:
        """Count ``url`` (once for the whole run) against its host's site-search budget:
        :data:`TAKEN` or :data:`HOST_EXHAUSTED`."""
        digest = hashlib.sha1(url.encode("utf-8")).digest()[:16]  # noqa: S324 - a set key, not security
        answer = int(self._take(keys=[self.keys.budgeted, self.keys.search_pages_per_host,
                                      self.keys.pages_per_trap_key],
                                args=[digest, host, "", budget, 0]))
        return TAKEN if answer == 1 else HOST_EXHAUSTED

    def host_counts(self) -> dict[str, int]:
        """Host → URLs counted against its budget, by every worker."""
        stored = self.server.hgetall(self.keys.pages_per_host)
        return {(k.decode() if isinstance(k, bytes) else str(k)): int(v)
                for k, v in stored.items()}  # type: ignore[union-attr]
