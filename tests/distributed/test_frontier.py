"""The Redis frontier's parts on the real Redis: reliable pops, reclaiming, ending once."""

from __future__ import annotations

import os
import threading

import pytest
import redis
from scrapy import Request, Spider
from scrapy.utils.reactor import is_reactor_installed
from scrapy.utils.test import get_crawler

from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.redis_scheduler import FingerprintDupeFilter, RedisScheduler
from crawler.frontier.reliable_queue import ReliableQueue
from crawler.frontier.workers import WorkerRegistry
from crawler.run.distributed import DistributedRun, NoDistributedRun

pytestmark = pytest.mark.redis


class _Spider(Spider):
    name = "t"


def _queue(server: redis.Redis, keys: RunKeys, worker: str) -> ReliableQueue:
    return ReliableQueue(server, _Spider(), keys.queue, processing_key=keys.processing(worker))


def test_pop_keeps_the_request_until_done_and_a_dead_workers_requests_come_back(
        redis_url: str, run_key: str) -> None:
    server = redis.Redis.from_url(redis_url)
    keys = RunKeys(run_key)
    a = _queue(server, keys, "elsewhere:1:a")
    for i, priority in enumerate((0, 5, 1)):
        a.push(Request(f"http://x.test/{i}", priority=priority))
    popped = a.pop()
    assert popped is not None and popped[0].url == "http://x.test/1"  # highest priority first
    second = a.pop()
    assert second is not None
    assert len(a) == 1 and a.held() == 2
    a.done(popped[1])
    assert a.held() == 1

    registry = WorkerRegistry(server, keys, stale_after=1.0)
    registry.beat("elsewhere:1:a")
    assert registry.reclaim_dead(this_worker="me") == 0  # alive: nothing taken from it
    server.zadd(keys.workers, {"elsewhere:1:a": 0.0})  # its heartbeat stopped long ago
    assert registry.reclaim_dead(this_worker="me") == 1
    assert len(a) == 2 and a.held() == 0 and registry.live() == {}
    urls = set()
    while (item := a.pop()) is not None:
        urls.add(item[0].url)
    assert urls == {"http://x.test/0", "http://x.test/2"}


class _SeenSpider(Spider):
    """A spider with a property as costly as the portal spider's ``hosts`` (counts its reads)."""

    name = "seen"
    reads = 0

    @property
    def hosts(self) -> set[str]:
        _SeenSpider.reads += 1
        return set()

    def parse_page(self, response: object) -> None:
        return None

    def on_error(self, failure: object) -> None:
        return None


def test_queueing_a_request_never_reads_the_spiders_properties(redis_url: str, run_key: str) -> None:
    # scrapy-redis named the callback with Scrapy's getmembers, reading every property of the
    # spider for each request queued: the portal spider's ``hosts`` walks every URL seen, so a
    # worker's event loop stalled as the crawl grew (downloads timed out in bursts, renderings
    # starved and kept an empty list: issue 14's missing reports)
    server = redis.Redis.from_url(redis_url)
    keys = RunKeys(run_key)
    spider = _SeenSpider()
    queue = ReliableQueue(server, spider, keys.queue, processing_key=keys.processing("me"))
    _SeenSpider.reads = 0
    for i in range(50):
        queue.push(Request(f"http://x.test/{i}", callback=spider.parse_page, errback=spider.on_error,
                           priority=i, meta={"link_text": "年报"}))
    assert _SeenSpider.reads == 0
    popped = queue.pop()
    assert popped is not None
    request = popped[0]
    assert (request.url, request.priority, request.meta) == ("http://x.test/49", 49, {"link_text": "年报"})
    assert request.callback == spider.parse_page and request.errback == spider.on_error


def test_a_worker_of_this_machine_whose_process_is_gone_is_reclaimed_at_once(
        redis_url: str, run_key: str) -> None:
    import socket

    server = redis.Redis.from_url(redis_url)
    keys = RunKeys(run_key)
    dead = f"{socket.gethostname()}:{_dead_pid()}:x"
    q = _queue(server, keys, dead)
    q.push(Request("http://x.test/a"))
    assert q.pop() is not None
    registry = WorkerRegistry(server, keys, stale_after=3600)
    registry.beat(dead)
    alive = f"{socket.gethostname()}:{os.getpid()}:y"
    registry.beat(alive)
    assert set(registry.live()) == {alive}
    assert registry.reclaim_dead(this_worker=alive) == 1
    assert len(q) == 1


def _dead_pid() -> int:
    """The pid of a process that has exited."""
    import subprocess

    child = subprocess.Popen(["true"])  # noqa: S607
    child.wait()
    return child.pid


def test_the_run_is_finished_by_exactly_one_of_many_workers(redis_url: str, run_key: str) -> None:
    run = DistributedRun.connect(redis_url, run_key)
    with pytest.raises(NoDistributedRun):
        run.join()
    started: list[int] = []
    record = run.start_or_join({"seeds": ["http://x.test/"]}, lambda: started.append(7) or 7)
    assert record.run_id == 7 and not record.joined and run.phase() == "discovery"
    again = run.start_or_join({"seeds": ["http://y.test/"]}, lambda: 8)
    assert again.joined and again.run_id == 7 and again.options == {"seeds": ["http://x.test/"]}
    assert run.join().run_id == 7

    winners: list[str] = []
    barrier = threading.Barrier(8)

    def worker(name: str) -> None:
        barrier.wait()
        if DistributedRun.connect(redis_url, run_key).claim_finish(name):
            winners.append(name)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(winners) == 1
    run.set_phase("done")
    with pytest.raises(NoDistributedRun):
        run.join()
    fresh = run.start_or_join({"seeds": ["http://x.test/"]}, lambda: 9)  # an ended run: a new one
    assert fresh.run_id == 9 and not fresh.joined and run.phase() == "discovery"
    assert run.claim_finish("w0")  # the new run's keys start clean


def test_status_shows_phase_frontier_workers_and_hosts(redis_url: str, run_key: str) -> None:
    from click.testing import CliRunner

    from crawler.cli.main import main

    server = redis.Redis.from_url(redis_url)
    keys = RunKeys(run_key)
    result = CliRunner().invoke(main, ["status", "--redis", redis_url, "--run-key", run_key])
    assert result.exit_code != 0 and "no distributed run" in result.output
    run = DistributedRun.connect(redis_url, run_key)
    run.start_or_join({"seeds": ["http://x.test/"]}, lambda: 3)
    worker = f"elsewhere:{os.getpid()}:w"
    q = _queue(server, keys, worker)
    for i in range(3):
        q.push(Request(f"http://x.test/{i}"))
    q.pop()
    WorkerRegistry(server, keys, stale_after=30).beat(worker)
    server.hincrby(keys.pages, "x.test", 5)
    result = CliRunner().invoke(main, ["status", "--redis", redis_url, "--run-key", run_key])
    assert result.exit_code == 0, result.output
    assert "run 3" in result.output and "phase discovery" in result.output
    assert "2 queued, 1 held by workers" in result.output
    assert "workers: 1 live" in result.output and worker in result.output
    assert "x.test\t5" in result.output


def test_a_worker_without_a_run_to_join_says_how_to_start_one(tmp_path: object, redis_url: str,
                                                              run_key: str, pg_url: str) -> None:
    from click.testing import CliRunner

    from crawler.cli.main import main

    result = CliRunner().invoke(main, ["worker", "--redis", redis_url, "--run-key", run_key,
                                       "--db", pg_url, "--archive", f"{tmp_path}/archive"])
    assert result.exit_code == 1, result.output
    assert "no running distributed crawl" in result.output and "govreports crawl" in result.output
    result = CliRunner().invoke(main, ["crawl", "http://x.test/", "--redis", redis_url, "--run-key",
                                       run_key, "--db", f"sqlite:///{tmp_path}/a.db",
                                       "--archive", f"{tmp_path}/archive"])
    assert result.exit_code == 1 and "not SQLite" in result.output, result.output


class _CountingRedis(redis.Redis):
    """A Redis client that counts its round trips (commands and scripts sent)."""

    calls = 0

    def execute_command(self, *args: object, **options: object) -> object:
        type(self).calls += 1
        return super().execute_command(*args, **options)


def test_a_callbacks_requests_are_filtered_and_queued_in_one_round_trip(redis_url: str,
                                                                         run_key: str) -> None:
    # scrapy-redis's scheduler asks Redis twice per new request (SADD of its fingerprint, then
    # ZADD), each a wait of the worker's event loop; the requests queued together (one
    # callback's output) go in one script call, with the same answers
    server = _CountingRedis.from_url(redis_url)
    crawler = get_crawler(_Spider)
    crawler._apply_settings()
    keys = RunKeys(run_key)
    scheduler = RedisScheduler(crawler, server, keys, worker_id="elsewhere:1:a",
                               stale_after=30.0, tick_seconds=0.5)
    scheduler.spider = _Spider()
    scheduler.queue = _queue(server, keys, "elsewhere:1:a")
    scheduler.df = FingerprintDupeFilter(server, keys.dupefilter, crawler.request_fingerprinter)
    assert scheduler.enqueue_many([Request("http://x.test/0")]) == 1  # loads the script

    before = _CountingRedis.calls
    reactor_before = is_reactor_installed()
    for request in (Request("http://x.test/a", priority=3), Request("http://x.test/a"),
                    Request("http://x.test/0"), Request("http://x.test/a", dont_filter=True),
                    Request("http://x.test/b")):
        scheduler.enqueue_request(request)
    assert _CountingRedis.calls == before  # nothing sent yet
    # outside a crawl no reactor is installed by queueing (it would break later in-process crawls)
    assert is_reactor_installed() == reactor_before
    assert scheduler.flush() == 3  # a, a again (not filtered), b; the duplicates dropped
    assert _CountingRedis.calls - before == 1
    assert server.zcard(keys.queue) == 4 and server.scard(keys.dupefilter) == 3
    first = scheduler.next_request()
    assert first is not None and first.url == "http://x.test/a" and first.priority == 3
    rest = [scheduler.queue.pop(), scheduler.queue.pop(), scheduler.queue.pop()]
    assert scheduler.queue.held() == 4
    before = _CountingRedis.calls
    scheduler.queue.done(scheduler.held[id(first)][1], *(item[1] for item in rest if item is not None))
    assert _CountingRedis.calls - before == 1 and scheduler.queue.held() == 0
