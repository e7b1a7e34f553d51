"""Export time and peak memory per format, against a plain SELECT written with csv.writer.

Run: ``.venv/bin/python benchmarks/export.py [--reports N | --quick] [--formats csv,parquet,…]
[--root DIR] [--out FILE.json]``. A synthetic archive (default 5,000 reports; ``--quick`` 1,000)
is generated with :func:`crawler.testbed.synthetic_archive.build_synthetic_archive`; then each export
runs as ``govreports export`` in a child process (start-up included), and so does the
baseline: the same reports' current parse records read with one ``SELECT`` through
``sqlite3`` and written with ``csv.writer``, nothing else. Peak memory is the child's peak RSS
(``ru_maxrss`` from ``os.wait4``, taken by a small launcher process so that a large caller's
memory is not counted). :func:`measure_exports` is what ``benchmarks/serve.py`` or another
script can call on an archive it already has.
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.exports.writers import table_paths  # noqa: E402
from crawler.testbed.synthetic_archive import build_synthetic_archive  # noqa: E402

FORMATS = ("csv", "parquet", "jsonl", "xlsx", "bundle")
BASELINE = r"""
import csv, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
rows = connection.execute(
    "SELECT r.id, r.agency, r.year, r.title, r.published_on, v.url, v.sha256, p.record "
    "FROM reports r JOIN report_versions v ON v.id = r.current_version_id "
    "JOIN parse_results p ON p.sha256 = v.sha256 AND p.parser_version = v.parser_version "
    "ORDER BY r.year, r.agency, r.id")
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as handle:
    csv.writer(handle).writerows(rows)
"""


@dataclass
class Measurement:
    """One timed child process."""

    name: str
    seconds: float
    peak_rss_mb: float
    output_mb: float
    exit_code: int
    #: Peak RSS of the same command selecting no report: start-up and imports.
    startup_rss_mb: float = 0.0


#: Runs a command and reports its time and peak RSS. The measured command is its child, so
#: its ``ru_maxrss`` does not include the pages of a large caller it was forked from.
LAUNCHER = r"""
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"seconds": time.perf_counter() - started, "maxrss_kb": usage.ru_maxrss,
                  "exit": os.waitstatus_to_exitcode(status)}))
"""


def _run(name: str, args: list[str], outputs: list[Path]) -> Measurement:
    """Run ``args`` through :data:`LAUNCHER`; its wall time, peak RSS and output size."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *args], capture_output=True, text=True,
                          check=False)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1]) \
        if done.stdout.strip() else {"seconds": 0.0, "maxrss_kb": 0, "exit": done.returncode}
    if figures["exit"] != 0:
        print(f"{name} failed ({figures['exit']}): {done.stderr[-2000:]}", file=sys.stderr)
    size = 0
    for path in outputs:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        size += sum(p.stat().st_size for p in files)
    return Measurement(name, float(figures["seconds"]), figures["maxrss_kb"] / 1024, size / 1e6,
                       int(figures["exit"]))


def measure_exports(db_path: Path, archive_dir: Path, work: Path,
                    formats: tuple[str, ...] = FORMATS) -> dict[str, Measurement]:
    """Baseline and each format's export of the SQLite archive at ``db_path``, into ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{db_path}"
    cli = [sys.executable, "-m", "crawler.cli.main", "export", "--db", db_url]
    results = {"baseline": _run("baseline", [sys.executable, "-c", BASELINE, str(db_path),
                                             str(work / "baseline.csv")], [work / "baseline.csv"])}
    nothing = ["--agency", "\u2400no such agency"]
    for fmt in formats:
        if fmt == "bundle":
            target, empty = work / "bundle", work / "bundle-empty"
            tail = ["--archive", str(archive_dir)]
            results[fmt] = _run(fmt, [*cli, "--bundle", str(target), *tail], [target])
            start = _run(fmt, [*cli, "--bundle", str(empty), *tail, *nothing], [empty])
        else:
            out = work / f"reports.{fmt}"
            outputs = list(table_paths(out).values()) if fmt in ("csv", "parquet") else [out]
            results[fmt] = _run(fmt, [*cli, "--format", fmt, "--out", str(out)], outputs)
            empty_out = work / f"empty.{fmt}"
            start = _run(fmt, [*cli, "--format", fmt, "--out", str(empty_out), *nothing], [])
        results[fmt].startup_rss_mb = start.peak_rss_mb
    return results


def print_table(results: dict[str, Measurement]) -> None:
    """The figures, with each export's ratio to the baseline."""
    base = results["baseline"]
    print(f"{'':9} {'seconds':>8} {'peak RSS MB':>12} {'of which start-up':>18} {'output MB':>10} "
          f"{'× time':>7} {'× RSS':>6}")
    for name, m in results.items():
        flag = "" if m.exit_code == 0 else f"  (exit {m.exit_code})"
        startup = f"{m.startup_rss_mb:18.0f}" if m.startup_rss_mb else f"{'—':>18}"
        print(f"{name:9} {m.seconds:8.1f} {m.peak_rss_mb:12.0f} {startup} {m.output_mb:10.1f} "
              f"{m.seconds / base.seconds:7.1f} {m.peak_rss_mb / base.peak_rss_mb:6.1f}{flag}")
    print("start-up: the same command selecting no report (imports, migrations check); "
          "baseline: one SELECT of the same parse records written with csv.writer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="1,000 reports")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help=f"comma-separated, of {', '.join(FORMATS)}")
    parser.add_argument("--root", type=Path, default=None, help="work folder (default: temporary)")
    parser.add_argument("--out", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    reports = 1000 if args.quick else args.reports
    formats = tuple(f for f in args.formats.split(",") if f)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        parser.error(f"unknown format(s): {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="govreports-export-bench-") as temp:
        root = args.root or Path(temp)
        db_path = root / "archive.db"
        if db_path.exists():
            print(f"reusing the archive in {root}")
        else:
            started = time.perf_counter()
            built = build_synthetic_archive(f"sqlite:///{db_path}", root / "archive",
                                            reports=reports, seed=0)
            print(f"synthetic archive: {built.reports} reports, {built.documents} documents, "
                  f"{built.versions} versions in {time.perf_counter() - started:.1f} s")
        results = measure_exports(db_path, root / "archive", root / "exports", formats)
        print_table(results)
        if args.out:
            args.out.write_text(json.dumps({k: asdict(v) for k, v in results.items()}, indent=2))
        if any(m.exit_code for m in results.values()):
            sys.exit(1)


if __name__ == "__main__":
    main()
