"""The archive's writer thread against its writer process: the crawler process's own CPU per page.

Run: ``.venv/bin/python benchmarks/archive_writer.py [--scale 10] [--pairs 3]``.
One sample portal (scale ``--scale``) serves from a process of its own
(``benchmarks/portal_process.py``). Each pair runs ``govreports crawl``'s crawl (``run_crawl``
with the ``--local`` settings, SQLite, no page budget) once with ``GOVREPORTS_ARCHIVE_PROCESS``
off (the writer thread) and once on, alternating. Printed per crawl: pages, wall seconds, the
crawler process's own CPU (``getrusage(RUSAGE_SELF)`` at its end, all its threads), the writer
process's CPU (sampled from ``/proc`` every 0.2 s: the process holding the run's open WARC
file) and the load average at the start. On a shared machine wall time is noisy; CPU per page
is the figure to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.portal_process import start  # noqa: E402
from benchmarks.proctree import cpu_seconds  # noqa: E402

_CRAWL = """
import json, resource, sys
from pathlib import Path
from crawler.cli.main import LOCAL_SETTINGS
from crawler.run.runner import CrawlOptions, run_crawl

if __name__ == "__main__":
    args = json.loads(sys.argv[1])
    work = Path(args["work"])
    summary = run_crawl(CrawlOptions(
        seeds=args["seeds"], db_url=f"sqlite:///{work / 'archive.db'}", archive_dir=work / "archive",
        ca_file=args["ca_file"], resolve=args["resolve"], progress=False,
        settings=dict(LOCAL_SETTINGS) | {"GOVREPORTS_MAX_PAGES_PER_HOST": 1_000_000,
                                         "GOVREPORTS_ARCHIVE_PROCESS": args["process"]}))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"status": summary.status, "pages": summary.pages,
                      "cpu": usage.ru_utime + usage.ru_stime}))
"""


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_bytes()
        except OSError:
            continue
        parents.setdefault(int(raw[raw.rfind(b")") + 2:].split()[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _holds_warc(pid: int) -> bool:
    try:
        return any(os.readlink(fd).endswith(".warc.gz") for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


def crawl(process: bool, info: dict[str, object], work: Path) -> dict[str, object]:
    """One crawl; its figures."""
    load = os.getloadavg()[0]
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", _CRAWL, json.dumps({**info, "work": str(work),
                                                                        "process": process})],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    writer: int | None = None
    writer_cpu = 0.0
    while child.poll() is None:
        if writer is None:
            writer = next((p for p in _descendants(child.pid) if _holds_warc(p)), None)
        if writer is not None:
            writer_cpu = cpu_seconds(writer) or writer_cpu
        time.sleep(0.2)
    wall = time.monotonic() - started
    assert child.stdout is not None
    result = json.loads(child.stdout.read().strip().splitlines()[-1])
    return {"writer": "process" if process else "thread", "pages": result["pages"],
            "wall_s": round(wall, 1), "crawler_cpu_s": round(result["cpu"], 2),
            "crawler_ms_per_page": round(1000 * result["cpu"] / max(1, result["pages"]), 2),
            "writer_process_cpu_s": round(writer_cpu, 2) if process else None,
            "load_at_start": round(load, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    portals = start(1, args.scale)
    try:
        with tempfile.TemporaryDirectory(prefix="govreports-writer-bench-") as folder:
            ca_file = Path(folder) / "ca.pem"
            ca_file.write_text(portals.certificates)
            resolve = dict(spec.split(":", 1) for spec in portals.resolve_args[1::2])
            info = {"seeds": portals.seeds, "ca_file": str(ca_file), "resolve": resolve}
            for pair in range(args.pairs):
                for process in (False, True):
                    work = Path(folder) / f"{pair}-{int(process)}"
                    print(json.dumps(crawl(process, info, work)), flush=True)  # noqa: T201
    finally:
        portals.stop()


if __name__ == "__main__":
    main()
