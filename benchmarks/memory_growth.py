"""Where the crawler's memory grows per page: ``tracemalloc`` snapshots at two points of one crawl.

Run: ``.venv/bin/python benchmarks/memory_growth.py [--scale 10] [--at 1000 4000] [--top 25]
[--frames 1]``. The sample portal runs in this process; the crawl (``run_crawl``, local settings,
no parsing, no rendering) runs in a child process that starts ``tracemalloc`` and writes a
snapshot (after ``gc.collect()``) when the scheduler has handed out the given numbers of
requests. Printed: the allocation sites whose memory grew most between the two snapshots, in
bytes and bytes per request handed out, grouped by file and line (or by traceback with
``--frames`` > 1).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.testbed.sample_portal import SamplePortal  # noqa: E402

_CHILD = r"""
import gc, json, sys, tracemalloc
from pathlib import Path

args = json.loads(sys.argv[1])
tracemalloc.start(args["frames"])

from crawler.frontier.scheduler import DatabaseScheduler
from crawler.cli.main import LOCAL_SETTINGS
from crawler.run.runner import CrawlOptions, run_crawl

marks = sorted(args["at"])
handed = 0
original_next = DatabaseScheduler.next_request

def next_request(self):
    global handed
    request = original_next(self)
    if request is not None:
        handed += 1
        if marks and handed == marks[0]:
            gc.collect()
            tracemalloc.take_snapshot().dump(str(Path(args["work"]) / f"at-{marks.pop(0)}.snapshot"))
    return request

DatabaseScheduler.next_request = next_request
work = Path(args["work"])
summary = run_crawl(CrawlOptions(
    seeds=args["seeds"], db_url=f"sqlite:///{work / 'archive.db'}", archive_dir=work / "archive",
    ca_file=args["ca_file"], parse=False, progress=False,
    settings=dict(LOCAL_SETTINGS) | {"GOVREPORTS_RENDER": False, "GOVREPORTS_MAX_PAGES_PER_HOST": 1_000_000}))
print(json.dumps({"status": summary.status, "pages": summary.pages, "handed": handed}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--at", type=int, nargs=2, default=[1000, 4000],
                        help="requests handed out at the two snapshots")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--frames", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="memgrowth-") as folder:
        work = Path(folder)
        with SamplePortal(seed=0, scale=args.scale) as portal:
            seeds = [url for url in portal.seed_urls if "//127.0.0.1:" in url]
            child_args = {"work": str(work), "seeds": seeds, "ca_file": str(portal.certificate_path),
                          "at": args.at, "frames": args.frames}
            done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(child_args)],
                                  capture_output=True, text=True, check=False, cwd=ROOT)
        if done.returncode != 0:
            sys.exit(done.stderr[-3000:])
        print(done.stdout.strip().splitlines()[-1])
        first, second = (tracemalloc.Snapshot.load(str(work / f"at-{n}.snapshot")) for n in args.at)
    pages = args.at[1] - args.at[0]
    group = "traceback" if args.frames > 1 else "lineno"
    stats = second.compare_to(first, group)
    total = sum(stat.size_diff for stat in stats)
    print(f"traced memory {sum(s.size for s in first.statistics('filename')) / 1e6:.1f} MB at "
          f"{args.at[0]}, {sum(s.size for s in second.statistics('filename')) / 1e6:.1f} MB at "
          f"{args.at[1]}: {total / pages:.0f} B per request handed out")
    for stat in stats[:args.top]:
        where = stat.traceback.format()[-1].strip() if args.frames == 1 else " <- ".join(
            line.strip() for line in stat.traceback.format() if not line.startswith("    "))
        print(f"{stat.size_diff / pages:8.1f} B/req {stat.size_diff / 1e3:9.1f} KB "
              f"{stat.count_diff:+7d} blocks  {where}")


if __name__ == "__main__":
    main()
