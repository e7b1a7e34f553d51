"""Per-host page budgets and trap caps hold for all workers together, not per worker."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import redis

from crawler.discovery.urls import host_of
from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.shared_budget import (
    HOST_EXHAUSTED,
    TAKEN,
    TRAP_EXHAUSTED,
    BudgetAsk,
    SharedBudget,
)
from tests.crawl_helpers import GOVREPORTS
from tests.distributed.helpers import crawl_with_a_worker

pytestmark = [pytest.mark.redis]
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


def test_one_batch_answers_as_one_call_per_url(redis_url: str, run_key: str) -> None:
    """take_many (one round trip for a response's links) gives, in order, the answers and the
    counts that one take per URL gives: duplicates in the batch, traps, search URLs, a host
    running out half-way."""
    server = redis.Redis.from_url(redis_url)
    asks = [BudgetAsk(f"http://a.gov.cn/p/{i % 7}.html", "a.gov.cn") for i in range(10)]
    asks += [BudgetAsk(f"http://b.gov.cn/l?page={i}", "b.gov.cn", "b.gov.cn/l?page") for i in range(6)]
    asks += [BudgetAsk(f"http://c.gov.cn/s?p={i}", "c.gov.cn", search=True) for i in range(5)]
    asks += [BudgetAsk("http://a.gov.cn/p/1.html", "a.gov.cn"), BudgetAsk("http://a.gov.cn/x", "a.gov.cn")]
    budgets = {"host_budget": 5, "trap_budget": 3, "search_budget": 2}
    one_by_one = SharedBudget(server, RunKeys(f"{run_key}:single"))
    expected = [one_by_one.take_many([ask], **budgets)[0] for ask in asks]
    batch = SharedBudget(server, RunKeys(f"{run_key}:batch"))
    assert batch.take_many(asks, **budgets) == expected
    assert batch.calls == 1
    assert expected[:7] == [TAKEN] * 5 + [HOST_EXHAUSTED] * 2  # a.gov.cn: 5 of 7 distinct URLs
    assert expected[7:10] == [TAKEN] * 3  # 0, 1, 2 again: counted once already
    assert expected[10:16] == [TAKEN] * 3 + [TRAP_EXHAUSTED] * 3
    assert expected[16:21] == [TAKEN] * 2 + [HOST_EXHAUSTED] * 3
    assert expected[21:] == [TAKEN, HOST_EXHAUSTED]
    for name in ("budgeted", "pages_per_host", "pages_per_trap_key", "search_pages_per_host"):
        single, batched = (getattr(RunKeys(f"{run_key}:{k}"), name) for k in ("single", "batch"))
        dump = server.smembers if name == "budgeted" else server.hgetall
        assert dump(single) == dump(batched), name


@pytest.mark.postgres
def test_two_workers_share_one_hosts_page_budget(tmp_path: Path, tree_site: tuple[str, set[str]],
                                                 pg_url: str, redis_url: str, run_key: str) -> None:
    seed, fetched = tree_site  # conftest: 60 hubs of 20 pages, answered once both workers are up
    archive = str(tmp_path / "archive")
    crawl_with_a_worker(seed, redis_url=redis_url, run_key=run_key, pg_url=pg_url, archive=archive, extra=("--max-pages-per-host", str(BUDGET)))
    pages = sorted(path for path in fetched if path.startswith("/p/"))
    print(f"pages fetched besides the home page: {len(fetched)} (budget {BUDGET}); "
          f"leaf pages {len(pages)}")
    assert len(fetched) <= BUDGET, sorted(fetched)
    assert len(fetched) == BUDGET  # the budget, not a lack of links, is what stopped the crawl

    # govreports status shows the shared budgets of the run
    shown = subprocess.run([*GOVREPORTS, "status", "--redis", redis_url, "--run-key", run_key, "--json"],
                           capture_output=True, text=True, check=True)
    status = json.loads(shown.stdout)
    host = host_of(seed)
    per_host = status["budgets"]["pages_per_host"]
    assert status["phase"] == "done" and not status["stopped"]
    assert per_host["budget"] == BUDGET and per_host["exhausted"] == [host]
    assert per_host["counted"] == BUDGET  # the seed itself is not counted
    assert status["budgets"]["max_pages"] == {"used": None, "limit": None}
    assert status["budgets"]["trap_caps"]["cap"] == 30 and status["budgets"]["trap_caps"]["hit"] == []
    assert status["budgets"]["site_search"]["budget"] == 60
    busiest = status["hosts"]["busiest"][0]
    assert busiest["host"] == host and busiest["budget_used"] == BUDGET
    assert busiest["pages"] > len(fetched)  # requests handled: the home page, probes too
    text = subprocess.run([*GOVREPORTS, "status", "--redis", redis_url, "--run-key", run_key],
                          capture_output=True, text=True, check=True).stdout
    assert f"page budget per host: {BUDGET}, 1 hosts exhausted" in text
    assert f"budget {BUDGET} / {BUDGET}" in text
