"""Budgets shared by every worker of a distributed run: per-host pages, trap caps, site search,
and the run's ``--max-pages``.

A single process counts budgets in its spider (``PortalSpider._within_budgets``). With N
workers those counters would be per worker, so a host could get N× its budget. Here one Lua
script checks and counts new URLs atomically in Redis: each URL (as a 16-byte digest) in the
run's ``budgeted`` set, its host's count in ``pages_per_host``, its trap key's count in
``pages_per_trap_key`` (site-search pages: ``search_pages_per_host``). A URL counted once is
never counted again, whichever worker meets it. :meth:`SharedBudget.take_many` counts all the
new links of one response in one script call (one round trip), in order, with the same answers
one call per URL would give.

:class:`RunPageBudget`: the run's ``--max-pages`` (responses), one counter (``run_pages``)
for all workers, checked before a response is counted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.frontier.redis_keys import RunKeys

if TYPE_CHECKING:
    from redis import Redis

#: Answers of :meth:`SharedBudget.take`.
TAKEN, HOST_EXHAUSTED, TRAP_EXHAUSTED = "taken", "host", "trap"

# KEYS: budgeted, pages per host, pages per trap key, search pages per host.
# ARGV: groups of 5 (digest, host, trap key or '', budget, trap budget or -1 for a search URL).
_TAKE_MANY = """
local answers = {}
for i = 1, #ARGV, 5 do
  local digest, host, key = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local budget, trap_budget = tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4])
  local counts = KEYS[2]
  if trap_budget < 0 then counts = KEYS[4] end
  local answer = 1
  if redis.call('SISMEMBER', KEYS[1], digest) == 0 then
    if tonumber(redis.call('HGET', counts, host) or '0') >= budget then
      answer = 0
    elseif key ~= '' and tonumber(redis.call('HGET', KEYS[3], key) or '0') >= trap_budget then
      answer = -1
    else
      if key ~= '' then redis.call('HINCRBY', KEYS[3], key, 1) end
      redis.call('HINCRBY', counts, host, 1)
      redis.call('SADD', KEYS[1], digest)
    end
  end
  answers[#answers + 1] = answer
end
return answers
"""

# KEYS: the run's page counter. ARGV: the limit. The count after this response, or -1 when
# the limit was reached already (this response is not counted).
_COUNT_PAGE = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return -1 end
return redis.call('INCR', KEYS[1])
"""

_ANSWERS = {1: TAKEN, 0: HOST_EXHAUSTED, -1: TRAP_EXHAUSTED}


@dataclass(frozen=True)
class BudgetAsk:
    """One URL to count: against its host's page budget and trap cap, or (``search``) against
    its host's site-search budget."""

    url: str
    host: str
    trap_key: str | None = None
    search: bool = False


def _digest(url: str) -> bytes:
    return hashlib.sha1(url.encode("utf-8")).digest()[:16]  # noqa: S324 - a set key, not security


class SharedBudget:
    """Count URLs against per-host and per-trap-key budgets held in Redis (see module docstring).

    ``calls``: script calls made (Redis round trips), for the ``govreports/redis/budget_calls`` stat.
    """

    def __init__(self, server: Redis, keys: RunKeys) -> None:
        self.server = server
        self.keys = keys
        self._take_many = server.register_script(_TAKE_MANY)
        self.calls = 0

    def take_many(self, asks: Sequence[BudgetAsk], *, host_budget: int, trap_budget: int,
                  search_budget: int) -> list[str]:
        """Count each URL of ``asks`` (once for the whole run, in order) unless its budget is
        spent, in one round trip: :data:`TAKEN`, :data:`HOST_EXHAUSTED` (the host's page budget,
        or site-search budget for a search URL) or :data:`TRAP_EXHAUSTED`, one per ask."""
        if not asks:
            return []
        args: list[Any] = []
        for ask in asks:
            if ask.search:
                args += [_digest(ask.url), ask.host, "", search_budget, -1]
            else:
                args += [_digest(ask.url), ask.host, ask.trap_key or "", host_budget, trap_budget]
        self.calls += 1
        answers = self._take_many(keys=[self.keys.budgeted, self.keys.pages_per_host,
                                        self.keys.pages_per_trap_key,
                                        self.keys.search_pages_per_host], args=args)
        return [_ANSWERS[int(answer)] for answer in answers]

    def take(self, url: str, host: str, trap_key: str | None, *, host_budget: int,
             trap_budget: int) -> str:
        """:meth:`take_many` for one URL (against its host's page budget and trap cap)."""
        return self.take_many([BudgetAsk(url, host, trap_key)], host_budget=host_budget,
                              trap_budget=trap_budget, search_budget=0)[0]

    def take_search(self, url: str, host: str, *, budget: int) -> str:
        """:meth:`take_many` for one URL against its host's site-search budget."""
        return self.take_many([BudgetAsk(url, host, search=True)], host_budget=0, trap_budget=0,
                              search_budget=budget)[0]

    def host_counts(self) -> dict[str, int]:
        """Host → URLs counted against its budget, by every worker."""
        return _int_hash(self.server, self.keys.pages_per_host)


class RunPageBudget:
    """The run's ``--max-pages``: responses counted by every worker in ``run_pages``."""

    def __init__(self, server: Redis, keys: RunKeys, limit: int) -> None:
        self.server = server
        self.keys = keys
        self.limit = limit
        self._count = server.register_script(_COUNT_PAGE)

    def count(self) -> bool:
        """Count one response unless the limit is reached; False once the run has its pages
        (this response made the count reach the limit, or the limit was reached before)."""
        after = int(self._count(keys=[self.keys.run_pages], args=[self.limit]))
        return 0 < after < self.limit

    def reached(self) -> bool:
        """True once every worker together has handled ``limit`` responses."""
        return self.used() >= self.limit

    def used(self) -> int:
        """Responses counted so far, by every worker."""
        return int(self.server.get(self.keys.run_pages) or 0)


def _int_hash(server: Redis, key: str) -> dict[str, int]:
    stored: Any = server.hgetall(key)
    return {(k.decode() if isinstance(k, bytes) else str(k)): int(v) for k, v in stored.items()}
