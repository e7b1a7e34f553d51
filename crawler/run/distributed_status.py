"""What ``govreports status --redis`` shows of a distributed run, read from Redis alone.

:func:`run_status` gathers, as one JSON-ready dict: the run's phase, its frontier (queued,
held by workers, seen), live workers, per-host progress (pages handled, pages counted against
the host's budget, site-search pages) and the shared budgets with their limits (per-host page
budget, trap caps hit, site-search budget, the run's ``--max-pages``). Limits are the run's
own: its recorded options over the project's defaults, as its workers build them.
"""

from __future__ import annotations

from typing import Any

from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.workers import WorkerRegistry, text
from crawler.run.distributed import DistributedRun, RunRecord


def run_limit(record: RunRecord, name: str) -> int:
    """A budget setting as the run's workers have it: the run's Scrapy settings, else the
    matching option (``max_pages_per_host``), else the project default."""
    from crawler import settings as defaults

    recorded = record.options.get("settings") or {}
    if name in recorded:
        return int(recorded[name])
    if name == "GOVREPORTS_MAX_PAGES_PER_HOST" and record.options.get("max_pages_per_host"):
        return int(record.options["max_pages_per_host"])
    return int(getattr(defaults, name))


def _counts(server: Any, key: str) -> dict[str, int]:
    rows: Any = server.hgetall(key)
    return {text(k): int(v) for k, v in rows.items()}


def run_status(run: DistributedRun, record: RunRecord, *, max_hosts: int = 20) -> dict[str, Any]:
    """The run's status (see module docstring); ``max_hosts`` busiest hosts listed."""
    server, keys = run.server, run.keys
    registry = WorkerRegistry(server, keys, stale_after=30.0)
    live = registry.live()
    handled = _counts(server, keys.pages)
    counted = _counts(server, keys.pages_per_host)
    searched = _counts(server, keys.search_pages_per_host)
    traps = _counts(server, keys.pages_per_trap_key)
    host_budget = run_limit(record, "GOVREPORTS_MAX_PAGES_PER_HOST")
    trap_cap = run_limit(record, "GOVREPORTS_MAX_PER_TRAP_KEY")
    search_budget = run_limit(record, "GOVREPORTS_SEARCH_MAX_PAGES")
    hosts = set(handled) | set(counted) | set(searched)
    busiest = sorted(hosts, key=lambda h: (-handled.get(h, 0), -counted.get(h, 0), h))[:max_hosts]
    max_pages = record.options.get("max_pages") or None
    return {
        "run_id": record.run_id,
        "run_key": keys.run_key,
        "phase": run.phase(),
        "stopped": bool(server.exists(keys.stopped)),
        "frontier": {"queued": int(server.zcard(keys.queue)), "held": registry.in_flight(),
                     "seen": int(server.scard(keys.dupefilter))},
        "workers": [{"id": worker, "heartbeat_age": round(age, 1),
                     "holds": int(server.hlen(keys.processing(worker)))}
                    for worker, age in sorted(live.items())],
        "hosts": {"count": len(hosts), "pages_handled": sum(handled.values()),
                  "busiest": [{"host": host, "pages": handled.get(host, 0),
                               "budget_used": counted.get(host, 0),
                               "search_used": searched.get(host, 0)} for host in busiest]},
        "budgets": _budgets(keys, server, counted=counted, searched=searched, traps=traps,
                            host_budget=host_budget, trap_cap=trap_cap,
                            search_budget=search_budget, max_pages=max_pages),
    }


def _budgets(keys: RunKeys, server: Any, *, counted: dict[str, int], searched: dict[str, int],
             traps: dict[str, int], host_budget: int, trap_cap: int, search_budget: int,
             max_pages: int | None) -> dict[str, Any]:
    return {
        "max_pages": {"used": int(server.get(keys.run_pages) or 0) if max_pages else None,
                      "limit": max_pages},
        "pages_per_host": {"budget": host_budget, "counted": sum(counted.values()),
                           "exhausted": sorted(h for h, n in counted.items() if n >= host_budget)},
        "trap_caps": {"cap": trap_cap, "keys": len(traps),
                      "hit": sorted(k for k, n in traps.items() if n >= trap_cap)},
        "site_search": {"budget": search_budget, "counted": sum(searched.values()),
                        "exhausted": sorted(h for h, n in searched.items() if n >= search_budget)},
    }
