"""Redis traffic and CPU per page of a one-worker distributed crawl (issue 14, before/after).

    .venv/bin/python benchmarks/redis_traffic.py [--code-root PATH] [--label NAME]

Starts a Redis server of its own (``redis-server`` on a free port of 127.0.0.1, no
persistence), so ``INFO commandstats`` counts this crawl alone, one sample portal (7 hosts,
the ``benchmarks/scale.py --portals 1`` crawl) and a fresh PostgreSQL database, and runs
``govreports crawl --redis … --local --no-parse`` with the code of ``--code-root`` (default:
this checkout; point it at a worktree of another commit for a before/after). Prints captures,
wall and CPU seconds (user + system of the crawl process and the children it reaped), CPU
per page, Lua script calls (EVALSHA/EVAL) and all Redis commands per page, and the crawl's
``govreports/redis/budget_calls`` stat when the code has it. Drops its database and stops its
Redis server afterwards. Needs PostgreSQL at 127.0.0.1:5432 and ``redis-server`` on the PATH.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import redis
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from crawler.testbed.sample_portal import SamplePortal
from storage.models import Capture

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pages(db_url: str) -> int:
    engine = create_engine(db_url)
    with Session(engine) as session:
        pages = int(session.scalar(select(func.count()).select_from(Capture)) or 0)
    engine.dispose()
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code-root", type=Path, default=ROOT, help="the checkout whose code crawls")
    parser.add_argument("--label", default="", help="a name printed with the figures")
    args = parser.parse_args()
    port = _free_port()
    redis_server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    admin = psycopg.connect(PG_ADMIN, autocommit=True)
    name = f"govreports_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    redis_url = f"redis://127.0.0.1:{port}/0"
    try:
        server = redis.Redis.from_url(redis_url)
        deadline = time.monotonic() + 10
        while True:
            try:
                server.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with tempfile.TemporaryDirectory(prefix="govreports-redis-") as tmp, \
                SamplePortal(seed=0) as portal:
            work = Path(tmp)
            command = [sys.executable, "-m", "crawler.cli.main", "crawl", *portal.seed_urls,
                       "--redis", redis_url, "--db", db_url, "--archive", str(work / "archive"),
                       "--local", "--no-parse", "--timeout", "10", "--ca-file",
                       str(portal.certificate_path), "--today", "2025-06-01", *portal.resolve_args()]
            env = dict(os.environ, PYTHONPATH=str(args.code_root))
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            with (work / "crawl.log").open("wb") as out:
                code = subprocess.run(command, cwd=args.code_root, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, check=False).returncode
            wall = time.monotonic() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            stats = server.info("commandstats")
            scripts = sum(v["calls"] for k, v in stats.items() if k in ("cmdstat_evalsha", "cmdstat_eval"))
            commands = sum(v["calls"] for v in stats.values())
            pages = _pages(db_url)
            logs = " ".join(p.read_text(errors="replace")
                            for p in (work / "archive" / "logs").glob("worker-*.log"))
            budget = re.findall(r"'govreports/redis/budget_calls': (\d+)", logs)
        if code != 0 or not pages:
            raise SystemExit(f"the crawl failed (exit {code}, {pages} captures)")
        print(f"{args.label or args.code_root}: {pages} captures, {wall:.1f} s, CPU {cpu:.1f} s "
              f"({cpu / pages * 1000:.1f} ms/page), Lua scripts {scripts} ({scripts / pages:.2f}/page), "
              f"Redis commands {commands} ({commands / pages:.2f}/page), budget calls "
              f"{budget[-1] if budget else 'not counted by this code'}, "
              f"load {os.getloadavg()[0]:.1f}")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis_server.terminate()
        redis_server.wait(timeout=10)


if __name__ == "__main__":
    main()
