"""Distributed crawl scaling: one worker vs two worker processes on the same run (issue 14).

    .venv/bin/python benchmarks/scale.py [--portals 3] [--out figures.json]

Starts ``--portals`` sample portals (7 sites each: 21 hosts by default, 127.0.0.1 only) and
crawls them twice, each into its own PostgreSQL database and archive, with Redis at
127.0.0.1:6379: (1) ``govreports crawl --redis`` alone, (2) the same command plus one
``govreports worker``. Prints the wall-time ratio, pages/s per worker, whether both archives
hold the same reports and documents, and the Redis memory taken per 100,000 queued requests
(``INFO memory`` before and after queueing them, with their duplicate-filter fingerprints).
Needs the PostgreSQL and Redis servers; drops its databases and keys afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import psycopg
import redis
from scrapy import Request, Spider
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.reliable_queue import ReliableQueue
from crawler.testbed.sample_portal import SamplePortal
from storage.models import Capture, Report, ReportDocument

REDIS_URL = "redis://127.0.0.1:6379/0"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
GOVREPORTS = [sys.executable, "-m", "crawler.cli.main"]
TIMEOUT = 3600


def _archive(db_url: str) -> tuple[set[tuple[str, int]], set[str], int]:
    engine = create_engine(db_url)
    with Session(engine) as session:
        reports = {(r.agency, r.year) for r in session.scalars(select(Report))}
        documents = {d.sha256 for d in session.scalars(select(ReportDocument))}
        pages = int(session.scalar(select(func.count()).select_from(Capture)) or 0)
    engine.dispose()
    return reports, documents, pages


def _crawl(workers: int, seeds: list[str], extra: list[str], db_url: str, work: Path) -> float:
    """Wall seconds of one run with ``workers`` processes (the crawl command is the first)."""
    key = f"bench-{uuid.uuid4().hex[:10]}"
    archive = str(work / f"archive-{workers}")
    common = ["--redis", REDIS_URL, "--run-key", key, "--db", db_url, "--archive", archive]
    server = redis.Redis.from_url(REDIS_URL)
    logs = [(work / f"w{workers}-{i}.log").open("wb") for i in range(workers)]
    started = time.monotonic()
    processes = [subprocess.Popen([*GOVREPORTS, "crawl", *seeds, *common, *extra],
                                  stdout=logs[0], stderr=subprocess.STDOUT)]
    try:
        while len(processes) < workers:
            if server.exists(RunKeys(key).meta):
                processes.append(subprocess.Popen([*GOVREPORTS, "worker", *common],
                                                  stdout=logs[len(processes)], stderr=subprocess.STDOUT))
            else:
                time.sleep(0.05)
        for process in processes:
            if process.wait(timeout=TIMEOUT) != 0:
                raise SystemExit(f"a worker failed; see {work}")
        return time.monotonic() - started
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        names = list(server.scan_iter(match=f"govreports:{key}:*", count=1000))
        if names:
            server.delete(*names)


class _Spider(Spider):
    name = "bench"


def redis_bytes_per_100k() -> dict[str, float]:
    """Redis memory taken by 100,000 queued requests (queue entry + dupefilter fingerprint)."""
    server = redis.Redis.from_url(REDIS_URL)
    keys = RunKeys(f"bench-memory-{uuid.uuid4().hex[:8]}")
    queue = ReliableQueue(server, _Spider(), keys.queue, processing_key=keys.processing("bench"))
    before = int(server.info("memory")["used_memory"])
    pipe = server.pipeline(transaction=False)
    for i in range(100_000):
        request = Request(f"https://www.example-{i % 500}.gov.cn/xxgk/zfxxgkndbg/2024/t2024{i:07d}.html",
                          priority=i % 100, meta={"link_text": "2024年政府信息公开工作年度报告"})
        pipe.execute_command("ZADD", keys.queue, -request.priority, queue._encode_request(request))
        pipe.sadd(keys.dupefilter, f"{i:040x}")
        if i % 5000 == 4999:
            pipe.execute()
    pipe.execute()
    after = int(server.info("memory")["used_memory"])
    queue_bytes = int(server.memory_usage(keys.queue) or 0)
    server.delete(keys.queue, keys.dupefilter)
    return {"used_memory_mb": round((after - before) / 1e6, 1),
            "queue_key_mb": round(queue_bytes / 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--portals", type=int, default=3, help="sample portals (7 hosts each)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args()
    admin = psycopg.connect(PG_ADMIN, autocommit=True)
    names = [f"govreports_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="govreports-scale-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        portals = [stack.enter_context(SamplePortal(seed=seed)) for seed in range(args.portals)]
        seeds = [url for portal in portals for url in portal.seed_urls]
        ca = work / "ca.pem"
        ca.write_text("".join(p.certificate_path.read_text() for p in portals))
        extra = ["--local", "--timeout", "10", "--ca-file", str(ca), "--today", "2025-06-01"]
        extra += [arg for portal in portals for arg in portal.resolve_args()]
        figures["hosts"] = len(seeds)
        try:
            runs = {}
            for workers, name in zip((1, 2), names, strict=True):
                admin.execute(f'CREATE DATABASE "{name}"')
                db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
                wall = _crawl(workers, seeds, extra, db_url, work)
                reports, documents, pages = _archive(db_url)
                runs[workers] = (wall, reports, documents, pages)
                figures[f"workers_{workers}"] = {
                    "wall_s": round(wall, 1), "pages": pages, "reports": len(reports),
                    "documents": len(documents),
                    "pages_per_s_per_worker": round(pages / wall / workers, 2)}
                print(f"{workers} worker(s): {wall:.1f} s, {pages} pages, "
                      f"{pages / wall / workers:.2f} pages/s per worker, {len(reports)} reports",
                      flush=True)
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    one, two = runs[1], runs[2]
    figures["wall_time_ratio"] = round(one[0] / two[0], 2)
    figures["same_reports"] = one[1] == two[1]
    figures["same_documents"] = one[2] == two[2]
    figures["redis_per_100k_queued"] = redis_bytes_per_100k()
    print(json.dumps(figures, indent=2))
    print(f"wall-time ratio 1 worker / 2 workers: {figures['wall_time_ratio']}× (target >= 1.7× "
          f"on a machine with a core per worker; this one has {os.cpu_count()} cores in all)")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    if not (figures["same_reports"] and figures["same_documents"]):
        raise SystemExit("the two runs found different reports or documents")


if __name__ == "__main__":
    main()
