"""Discovery per shape: which reports of the sample portal a crawl finds, shape by shape, and
what rendering and site search cost.

Run: ``.venv/bin/python benchmarks/discovery.py [--out FILE.json]``.

One :class:`~crawler.testbed.sample_portal.SamplePortal` (threads in this process, 127.0.0.1
only) serves two crawls in the same run, each a child process (a Twisted reactor cannot
restart): ``full`` (every discovery step on) and ``no-render-no-search`` (the baseline:
``GOVREPORTS_RENDER`` and ``GOVREPORTS_SITE_SEARCH`` off). For each crawl it prints, per site and
shape (the ``form`` of each placed report: how it is presented and how a crawler reaches
it), reports found / expected, plus requests, wall seconds and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.testbed.sample_portal import SamplePortal  # noqa: E402
from tests.crawl_helpers import found_reports  # noqa: E402

CHILD = "--child"
MODES: dict[str, dict[str, Any]] = {
    "full": {},
    "no-render-no-search": {"GOVREPORTS_RENDER": False, "GOVREPORTS_SITE_SEARCH": False},
}


def _child(args: list[str]) -> None:
    """Run one crawl in this process: seeds, db, archive, ca file, JSON settings."""
    from crawler.cli.main import LOCAL_SETTINGS
    from crawler.run.runner import CrawlOptions, run_crawl

    seeds, db_url, archive, ca_file, settings = args
    options = CrawlOptions(seeds=seeds.split(","), db_url=db_url, archive_dir=Path(archive), ca_file=ca_file,
                           timeout=10, progress=False,
                           settings={**LOCAL_SETTINGS, **json.loads(settings)})
    summary = run_crawl(options)
    print(summary.status)


def _crawl(portal: SamplePortal, mode: str, work: Path) -> dict[str, Any]:
    folder = work / mode
    folder.mkdir()
    db_url = f"sqlite:///{folder / 'archive.db'}"
    before = len(portal.request_log)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, CHILD, ",".join(portal.seed_urls), db_url, str(folder / "archive"),
         str(portal.certificate_path), json.dumps(MODES[mode])],
        capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{mode} crawl failed:\n{result.stderr[-3000:]}")
    found = found_reports(db_url)
    shapes: dict[str, list[int]] = {}
    for site in portal.model.sites:
        for placed in site.reports:
            if placed.excluded:
                continue
            key = f"{site.name} {placed.form}"
            tally = shapes.setdefault(key, [0, 0])
            tally[0] += (placed.report.agency, placed.report.year) in found
            tally[1] += 1
    return {"mode": mode, "seconds": round(seconds, 1), "requests": len(portal.request_log) - before,
            "found": sum(v[0] for v in shapes.values()), "expected": sum(v[1] for v in shapes.values()),
            "shapes": shapes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the figures as JSON")
    options = parser.parse_args()
    with SamplePortal(seed=0, slow_seconds=2.0) as portal, tempfile.TemporaryDirectory() as tmp:
        results = [_crawl(portal, mode, Path(tmp)) for mode in MODES]
    base = results[-1]
    print(f"{'site shape':40} " + " ".join(f"{r['mode']:>20}" for r in results))
    for key in results[0]["shapes"]:
        cells = " ".join(f"{'{}/{}'.format(*r['shapes'][key]):>20}" for r in results)
        print(f"{key:40} {cells}")
    for field in ("found", "expected", "requests", "seconds"):
        print(f"{field:40} " + " ".join(f"{r[field]:>20}" for r in results))
    print(f"{'seconds vs baseline':40} " + " ".join(f"{r['seconds'] / base['seconds']:>20.2f}" for r in results))
    if options.out:
        options.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD:
        _child(sys.argv[2:])
    else:
        main()
