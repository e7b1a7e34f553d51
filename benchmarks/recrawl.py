"""Incremental re-crawl: bytes and time of a re-crawl of the unchanged portal against the first.

Run: ``.venv/bin/python benchmarks/recrawl.py [--scale N | --quick] [--out FILE.json]``.
One :class:`~crawler.testbed.sample_portal.SamplePortal` (threads in this process) serves three crawls
into one archive, each ``govreports crawl --local`` in a child process:

1. the first crawl (the baseline: everything is new);
2. a re-crawl of the unchanged portal (conditional requests, settled pages not asked);
3. a ``--full`` re-crawl (downloads everything again), for comparison.

Bytes are the response body bytes the portal sent (as sent: gzip counts compressed), read
from its request log; time is the child's wall time, start-up included. Targets (issue 4):
re-crawl bytes <= 5% and time <= 25% of the first crawl's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.testbed.sample_portal import SamplePortal  # noqa: E402

DEFAULT_SCALE = 5
QUICK_SCALE = 1
BYTES_TARGET = 0.05
TIME_TARGET = 0.25


@dataclass
class RecrawlFigures:
    """One crawl as the portal and the clock saw it."""

    name: str
    requests: int
    bytes_sent: int
    seconds: float
    not_modified: int


def _crawl(portal: SamplePortal, work: Path, name: str, *extra: str) -> RecrawlFigures:
    before = portal.request_log.records()
    command = [sys.executable, "-m", "crawler.cli.main", "crawl", *portal.seed_urls,
               "--db", f"sqlite:///{work / 'archive.db'}", "--archive", str(work / "archive"),
               "--local", "--timeout", "10", "--ca-file", str(portal.certificate_path),
               "--today", "2025-06-01", *portal.resolve_args(), *extra]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{name} crawl failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    records = portal.request_log.records()[len(before):]
    return RecrawlFigures(name=name, requests=len(records),
                          bytes_sent=sum(r.size for r in records), seconds=round(seconds, 2),
                          not_modified=sum(1 for r in records if r.status == 304))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE,
                        help=f"portal scale (about 400 pages a unit; default {DEFAULT_SCALE})")
    parser.add_argument("--quick", action="store_true", help=f"scale {QUICK_SCALE}")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    scale = QUICK_SCALE if args.quick else args.scale
    with tempfile.TemporaryDirectory(prefix="govreports-recrawl-") as tmp, \
            SamplePortal(scale=scale) as portal:
        work = Path(tmp)
        print(f"portal: scale {scale}, {portal.model.page_count()} stored resources", flush=True)
        first = _crawl(portal, work, "first crawl")
        print(f"  {first}", flush=True)
        again = _crawl(portal, work, "re-crawl")
        print(f"  {again}", flush=True)
        full = _crawl(portal, work, "full re-crawl", "--full")
        print(f"  {full}", flush=True)
    bytes_ratio = again.bytes_sent / first.bytes_sent
    time_ratio = again.seconds / first.seconds
    print()
    print("| crawl | requests | bytes sent | seconds | 304 |")
    print("| --- | --- | --- | --- | --- |")
    for f in (first, again, full):
        print(f"| {f.name} | {f.requests:,} | {f.bytes_sent:,} | {f.seconds} | {f.not_modified:,} |")
    print()
    print(f"re-crawl / first crawl: bytes {bytes_ratio:.1%} (target <= {BYTES_TARGET:.0%}), "
          f"time {time_ratio:.1%} (target <= {TIME_TARGET:.0%})")
    print(f"full re-crawl / first crawl: bytes {full.bytes_sent / first.bytes_sent:.1%}, "
          f"time {full.seconds / first.seconds:.1%}")
    met = bytes_ratio <= BYTES_TARGET and time_ratio <= TIME_TARGET
    print("targets met" if met else "TARGETS NOT MET")
    if args.out:
        args.out.write_text(json.dumps({
            "scale": scale, "crawls": [asdict(f) for f in (first, again, full)],
            "bytes_ratio": bytes_ratio, "time_ratio": time_ratio, "targets_met": met,
        }, indent=2))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
