"""Distributed crawl scaling: one worker vs two worker processes on the same run (issue 14).

    .venv/bin/python benchmarks/scale.py [--portals 3] [--out figures.json] [--keep]

Starts ``--portals`` sample portals (7 sites each: 21 hosts by default, 127.0.0.1 only) and
crawls them twice, each into its own PostgreSQL database and archive, with Redis at
127.0.0.1:6379: (1) ``govreports crawl --redis`` alone, (2) the same command plus one
``govreports worker``. Prints the wall-time ratio, pages/s per worker, each run's failed
requests by kind (its summary's), whether both archives hold the same reports and documents
and, when not, what differs and why (``scale_diff``: the pairs and sha256s one side lacks,
their URLs and that side's captures of them), which expected reports of the portals each run
lacks, and the Redis memory taken per 100,000 queued requests (``INFO memory`` before and
after queueing them, with their duplicate-filter fingerprints). Needs the PostgreSQL and
Redis servers; drops its databases and keys afterwards, unless ``--keep`` (then it prints
where the databases, archives, logs and Redis keys are).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import portal_process
import psycopg
import redis
from cpu_parties import CpuParties
from scale_diff import ArchiveFacts, explain, missing_expected, read_archive
from scrapy import Request, Spider

from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.reliable_queue import ReliableQueue

REDIS_URL = "redis://127.0.0.1:6379/0"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
GOVREPORTS = [sys.executable, "-m", "crawler.cli.main"]
TIMEOUT = 3600


def _exited(process: subprocess.Popen[bytes], deadline: float) -> None:
    """Wait until ``process`` exits without reaping it (its ``/proc`` entry stays readable)."""
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None:
            return
        time.sleep(0.1)
    raise subprocess.TimeoutExpired(process.args, TIMEOUT)


def _crawl(workers: int, seeds: list[str], extra: list[str], db_url: str, work: Path,
           key: str, *, keep: bool, cpu: CpuParties) -> float:
    """Wall seconds of one run with ``workers`` processes (the crawl command is the first);
    ``cpu`` is told each worker's pid."""
    archive = str(work / f"archive-{workers}")
    common = ["--redis", REDIS_URL, "--run-key", key, "--db", db_url, "--archive", archive]
    server = redis.Redis.from_url(REDIS_URL)
    logs = [(work / f"w{workers}-{i}.log").open("wb") for i in range(workers)]
    started = time.monotonic()
    # each worker in a session of its own: its helpers (parse workers, Chromium, LibreOffice)
    # are found by session as well as by parent
    processes = [subprocess.Popen([*GOVREPORTS, "crawl", *seeds, *common, *extra],
                                  stdout=logs[0], stderr=subprocess.STDOUT, start_new_session=True)]
    cpu.add_root("worker 1", processes[0].pid)
    try:
        while len(processes) < workers:
            if server.exists(RunKeys(key).meta):
                processes.append(subprocess.Popen([*GOVREPORTS, "worker", *common],
                                                  stdout=logs[len(processes)], stderr=subprocess.STDOUT,
                                                  start_new_session=True))
                cpu.add_root(f"worker {len(processes)}", processes[-1].pid)
            else:
                time.sleep(0.05)
        deadline = started + TIMEOUT
        for process in processes:
            _exited(process, deadline)
            cpu.sample()  # its last CPU seconds, before it is reaped
            if process.wait() != 0:
                raise SystemExit(f"a worker failed; see {work}")
        return time.monotonic() - started
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        names = list(server.scan_iter(match=f"govreports:{key}:*", count=1000))
        if names and not keep:
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


def _run_figures(facts: ArchiveFacts, wall: float, workers: int) -> dict[str, object]:
    return {"wall_s": round(wall, 1), "pages": facts.pages, "reports": len(facts.reports),
            "documents": len(facts.documents),
            "pages_per_s_per_worker": round(facts.pages / wall / workers, 2),
            "errors_by_kind": dict(sorted(facts.errors.items()))}


def _cpu_figures(parties: dict[str, float], pages: int, wall: float, workers: int) -> dict[str, object]:
    worker_cpu = sum(v for k, v in parties.items() if k.startswith("worker "))
    return {"cpu_s": parties, "worker_cpu_s": round(worker_cpu, 1),
            "worker_cpu_s_per_page": round(worker_cpu / pages, 5) if pages else None,
            "worker_cores_busy": round(worker_cpu / wall, 2),
            "machine_cores_busy": round(parties["machine"] / wall, 2)}


def _cpu_lines(parties: dict[str, float], wall: float, workers: int) -> list[str]:
    """Where the cores went during one run (CPU seconds per party, and as cores busy)."""
    cores = os.cpu_count() or 1
    shown = [f"{name} {seconds:.1f} s ({seconds / wall:.2f} cores)"
             for name, seconds in parties.items() if name != "machine"]
    return [f"CPU seconds ({wall:.1f} s wall, {cores} cores: {cores * wall:.1f} core-seconds): "
            + "; ".join(shown),
            f"machine busy {parties['machine']:.1f} s ({parties['machine'] / wall:.2f} of {cores} cores; "
            "`rest of the machine` is other jobs: the machine is shared)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--portals", type=int, default=3, help="sample portals (7 hosts each)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    parser.add_argument("--keep", action="store_true",
                        help="keep the databases, archives, logs and Redis keys (and print where)")
    args = parser.parse_args()
    admin = psycopg.connect(PG_ADMIN, autocommit=True)
    names = [f"govreports_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    keys = [f"bench-{uuid.uuid4().hex[:10]}" for _ in range(2)]
    figures: dict[str, object] = {}
    work = Path(tempfile.mkdtemp(prefix="govreports-scale-"))
    runs: dict[int, ArchiveFacts] = {}
    walls: dict[int, float] = {}
    cpus: dict[int, dict[str, float]] = {}
    try:
        with ExitStack() as stack:
            portals = portal_process.start(args.portals)
            stack.callback(portals.stop)
            seeds = portals.seeds
            expected = portals.expected
            ca = work / "ca.pem"
            ca.write_text(portals.certificates)
            extra = ["--local", "--timeout", "10", "--ca-file", str(ca), "--today", "2025-06-01"]
            extra += portals.resolve_args
            figures["hosts"] = len(seeds)
            figures["expected_reports"] = len({(agency, year) for agency, year, _ in expected})
            try:
                for workers, name, key in zip((1, 2), names, keys, strict=True):
                    admin.execute(f'CREATE DATABASE "{name}"')
                    db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
                    load = os.getloadavg()[0]
                    cpu = CpuParties(database=name)
                    cpu.add_root("portal server", portals.process.pid, split=False)
                    cpu.start()
                    try:
                        wall = walls[workers] = _crawl(workers, seeds, extra, db_url, work, key,
                                                       keep=args.keep, cpu=cpu)
                    finally:
                        parties = cpus[workers] = cpu.stop()
                    facts = runs[workers] = read_archive(db_url)
                    figures[f"workers_{workers}"] = _run_figures(facts, wall, workers)
                    figures[f"workers_{workers}"].update(_cpu_figures(parties, facts.pages, wall, workers))
                    figures[f"workers_{workers}"]["load_1min_before_after"] = [
                        round(load, 1), round(os.getloadavg()[0], 1)]
                    errors = ", ".join(f"{k} {v}" for k, v in sorted(facts.errors.items())) or "none"
                    print(f"{workers} worker(s): {wall:.1f} s, {facts.pages} pages, "
                          f"{facts.pages / wall / workers:.2f} pages/s per worker, "
                          f"{len(facts.reports)} reports, {len(facts.documents)} documents; "
                          f"failed requests by kind: {errors}", flush=True)
                    for line in _cpu_lines(parties, wall, workers):
                        print(f"  {line}")
                    for line in missing_expected(facts, expected):
                        print(f"  {line}")
                one, two = runs[1], runs[2]
                differences = explain("1 worker", one, "2 workers", two)
                for line in differences:
                    print(line)
            finally:
                if not args.keep:
                    for name in names:
                        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        if args.keep:
            print(f"kept: work folder {work} (logs w<workers>-<i>.log, archive-<workers>/ with "
                  f"logs/run-1.log); databases {', '.join(names)} (drop with DROP DATABASE); "
                  f"Redis keys govreports:<key>:* for run keys {', '.join(keys)}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    figures["wall_time_ratio"] = round(walls[1] / walls[2], 2)
    per_page = [figures[f"workers_{w}"]["worker_cpu_s_per_page"] for w in (1, 2)]  # type: ignore[index]
    figures["cpu_bound_ratio"] = round(2 * per_page[0] / per_page[1], 2) if per_page[1] else None
    figures["same_reports"] = one.reports.keys() == two.reports.keys()
    figures["same_documents"] = one.documents.keys() == two.documents.keys()
    figures["differences"] = differences
    figures["redis_per_100k_queued"] = redis_bytes_per_100k()
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"wall-time ratio 1 worker / 2 workers: {figures['wall_time_ratio']}× (target >= 1.7× "
          f"on a machine with a core per worker; this one has {os.cpu_count()} cores in all)")
    print(f"CPU-bound ratio (2 × worker CPU per page with one worker / with two: the ratio if each "
          f"worker had a core of its own and were CPU-bound): {figures['cpu_bound_ratio']}×; "
          f"worker CPU per page {per_page[0] * 1000:.1f} ms (1 worker), {per_page[1] * 1000:.1f} ms "
          f"(2 workers)")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    if not (figures["same_reports"] and figures["same_documents"]):
        raise SystemExit("the two runs found different reports or documents (see above)")


if __name__ == "__main__":
    main()
