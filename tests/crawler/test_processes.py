"""Page analysis in worker processes (``crawler.processes``): results and errors come back,
and a worker leaves when the process it serves is killed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from crawler.discovery.analysis import analyze_page
from crawler.processes import WorkerProcesses
from tests.crawl_helpers import process_running

ROOT = Path(__file__).resolve().parents[2]
PAGE = ("<html><head><title>某某区政府信息公开工作年度报告</title></head><body>"
        "<a href='/a.html'>甲</a><div class='page'><a href='index_1.html'>下一页</a></div>"
        "</body></html>").encode()


def test_a_page_is_read_in_a_worker_process_and_comes_back_whole() -> None:
    workers = WorkerProcesses(1)
    try:
        async def read() -> tuple[int, object]:
            pid = await workers.call(os.getpid)
            return pid, await workers.call(analyze_page, "http://a.gov.cn/list/index.html", PAGE,
                                           "utf-8", keep_page=False)
        pid, analysis = asyncio.run(read())
    finally:
        workers.close()
    assert pid != os.getpid()
    in_thread = analyze_page("http://a.gov.cn/list/index.html", PAGE, "utf-8", keep_page=False)
    assert analysis == in_thread  # links, title, pager: the same as read here


def test_workers_are_all_started_before_the_first_call_off_the_event_loop() -> None:
    """``ProcessPoolExecutor`` starts a worker inside ``submit`` (0.4 s for the first, while the
    forkserver imports the parsing code): :meth:`WorkerProcesses.start` does it in a thread, so
    the calls made on the event loop find every worker running."""
    workers = WorkerProcesses(2)
    try:
        async def start() -> tuple[int, set[int]]:
            pool = await workers.start()
            started = len(pool._processes)  # noqa: SLF001 (what a submit would start)
            pids = set(await asyncio.gather(*(workers.call(os.getpid) for _ in range(6))))
            return started, pids
        started, pids = asyncio.run(start())
    finally:
        workers.close()
    assert started == 2
    assert len(pids) <= 2 and os.getpid() not in pids


def test_an_error_in_a_worker_is_raised_to_the_caller() -> None:
    workers = WorkerProcesses(1)
    try:
        with pytest.raises(ValueError):
            asyncio.run(workers.call(int, "not a number"))
    finally:
        workers.close()


def test_no_workers_reads_in_the_thread_pool() -> None:
    assert asyncio.run(WorkerProcesses(0).call(os.getpid)) == os.getpid()


def test_a_worker_exits_when_the_process_it_serves_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import asyncio, os, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from crawler.processes import WorkerProcesses
        if __name__ == "__main__":
            workers = WorkerProcesses(1)
            print(asyncio.run(workers.call(os.getpid)), flush=True)
            time.sleep(120)
    """)
    (tmp_path / "serve.py").write_text(script)
    parent = subprocess.Popen([sys.executable, str(tmp_path / "serve.py")], stdout=subprocess.PIPE,
                              text=True)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert process_running(worker)
    parent.kill()
    parent.wait(10)
    deadline = time.monotonic() + 30
    while process_running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_running(worker), "the worker outlived the process it served"
