"""Hostile cases, before and after: outcome, wall time and peak RSS of each, in one run.

    .venv/bin/python benchmarks/hostile.py [--before-tree DIR] [--cap S] [--cases a,b]

Serves ``tests/hostile/server.py`` on 127.0.0.1 and, for each case, runs one crawl whose only
seed is the case's URL (``govreports crawl URL --local --no-parse --timeout 10``) or one
``govreports parse FILE`` of a hostile document, as a child process measured with
``os.wait4`` (peak RSS of the child and what it reaped). With ``--before-tree DIR`` (a
checkout of the code before the defences, e.g. ``git archive main | tar -x -C DIR``) every
case also runs on that code (``PYTHONPATH=DIR``) in the same run, and the table gets both.
Each child is killed after ``--cap`` seconds and may use at most 4 GB of address space (so a
bomb cannot take the machine down): such runs show as "killed at Ns" / "out of memory".
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile.server import HostileServer  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "hostile"
CRAWL_CASES = ("bomb.html", "bomb-br.html", "hugeline.html", "hanweb-trap.html", "flood.html",
               "redirect-off", "refresh-off", "redirect-metadata", "drip.html", "short.html")
PARSE_CASES = ("lying-sizes.docx", "stream-bomb.pdf")
ADDRESS_SPACE = 4 << 30
#: Cases whose "before" run would connect to a non-loopback address: never run on old code.
CONNECTS_OUT = ("redirect-metadata",)


@dataclass
class Result:
    outcome: str
    seconds: float
    peak_rss_mb: float


def _limit() -> None:
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _run(argv: list[str], *, tree: str | None, cap: float, cwd: Path,
         output: Path | None = None) -> tuple[int | None, float, float]:
    # a request for a non-loopback host goes to a dead local proxy, never off the machine
    env = dict(os.environ, PYTHONUNBUFFERED="1", http_proxy="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", no_proxy="127.0.0.1,localhost")
    if tree:  # ``python -m`` puts the working folder first on sys.path: run inside the tree
        env["PYTHONPATH"] = tree
        cwd = Path(tree)
    started = time.monotonic()
    sink = output.open("w") if output else subprocess.DEVNULL
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT,
                            preexec_fn=_limit)  # noqa: PLW1509
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(cap, kill)
    timer.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    if output:
        sink.close()  # type: ignore[union-attr]
    seconds = time.monotonic() - started
    code = None if killed.is_set() else os.waitstatus_to_exitcode(status)
    return code, seconds, usage.ru_maxrss / 1024


def crawl_case(base: str, case: str, *, tree: str | None, cap: float) -> Result:
    work = Path(tempfile.mkdtemp(prefix="govreports-bench-hostile-"))
    try:
        db = work / "archive.db"
        argv = [sys.executable, "-m", "crawler.cli.main", "crawl", base + case, "--db",
                f"sqlite:///{db}", "--archive", str(work / "archive"), "--local", "--no-parse",
                "--timeout", "10", "--max-pages", "50"]
        code, seconds, rss = _run(argv, tree=tree, cap=cap, cwd=ROOT)
        if code is None:
            outcome = f"killed at {cap:g} s"
        elif code < 0 or code not in (0,):
            outcome = "out of memory" if code in (-signal.SIGKILL, 1) and rss > 3000 else f"exit {code}"
        else:
            outcome = _capture_outcome(db, base + case)
        return Result(outcome, seconds, rss)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _capture_outcome(db: Path, url: str) -> str:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url, status, error_kind, size FROM captures ORDER BY id").fetchall()
    mine = [r for r in rows if r[0] == url]
    first = mine[-1] if mine else (rows[1] if len(rows) > 1 else None)
    if first is None:
        return "no capture"
    status, kind, size = first[1], first[2], first[3]
    extra = [r for r in rows if r[2] == "out_of_scope"]
    text = kind or f"{status}"
    if size and size > 10_000_000:
        text += f", {size // (1 << 20)} MB stored"
    if extra and not kind:
        text += f" (+{len(extra)} out_of_scope)"
    return text


def parse_case(name: str, *, tree: str | None, cap: float) -> Result:
    argv = [sys.executable, "-m", "crawler.cli.main", "parse", str(FIXTURES / name), "--json"]
    work = Path(tempfile.mkdtemp(prefix="govreports-bench-hostile-"))
    try:
        out = work / "out.txt"
        code, seconds, rss = _run(argv, tree=tree, cap=cap, cwd=ROOT, output=out)
        text = out.read_text(errors="replace")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if code is None:
        return Result(f"killed at {cap:g} s", seconds, rss)
    for status in ("too_large", "timeout", "corrupt", "not_a_report", "ok"):
        if f'"status": "{status}"' in text or status in text.split("\n")[0]:
            return Result(status, seconds, rss)
    return Result(f"exit {code}", seconds, rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before-tree", default=None)
    parser.add_argument("--cap", type=float, default=90.0)
    parser.add_argument("--cases", default="")
    args = parser.parse_args()
    wanted = set(filter(None, args.cases.split(",")))
    trees = [("before", args.before_tree), ("after", None)] if args.before_tree else [("after", None)]
    server = HostileServer(target="http://127.0.0.1:9/secret.json")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rows: list[tuple[str, dict[str, Result]]] = []
    try:
        for case in CRAWL_CASES + PARSE_CASES:
            if wanted and case not in wanted:
                continue
            results: dict[str, Result] = {}
            for label, tree in trees:
                if tree and case in CONNECTS_OUT:
                    results[label] = Result("not run: would connect out", 0.0, 0.0)
                    continue
                if case in PARSE_CASES:
                    results[label] = parse_case(case, tree=tree, cap=args.cap)
                else:
                    results[label] = crawl_case(server.base_url, case, tree=tree, cap=args.cap)
                r = results[label]
                print(f"{case:20} {label:6} {r.outcome:40} {r.seconds:7.1f} s {r.peak_rss_mb:8.0f} MB",
                      flush=True)
            rows.append((case, results))
    finally:
        server.shutdown()
    print()
    header = "| case | " + " | ".join(f"{label}: outcome | s | peak RSS MB" for label, _ in trees) + " |"
    print(header)
    print("|" + " --- |" * (1 + 3 * len(trees)))
    for case, results in rows:
        cells = []
        for label, _ in trees:
            r = results[label]
            cells += [r.outcome, f"{r.seconds:.1f}", f"{r.peak_rss_mb:.0f}"]
        print(f"| {case} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
