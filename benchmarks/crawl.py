"""Crawl throughput: pages per CPU-second and peak memory of ``govreports crawl`` against a bare spider.

Run: ``.venv/bin/python benchmarks/crawl.py [--pages 20000 | --pages 100000 | --quick] [--out FILE.json]``.
One :class:`~crawler.testbed.sample_portal.SamplePortal` (threads in this process, 127.0.0.1 only) serves
both crawls in the same run. Each crawl is a child process (a Twisted reactor cannot restart);
its wall time, CPU time (user + system) and peak resident memory come from ``os.wait4``. The
bare spider (``benchmarks/bare_spider.py``) has govreports' scope, depth, trap and budget
rules, concurrency and robots.txt, and archives nothing. Both crawls' URL sets are compared
(they must agree within 2%) and printed with the figures and the govreports/bare ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.proctree import TreeFigures, TreeSampler  # noqa: E402
from crawler.testbed.sample_portal import BENCHMARK_SCALE, SamplePortal  # noqa: E402

QUICK_SCALE = 2
PAGES_PER_SCALE = 400  # news pages per unit of scale (crawler/testbed/sample_portal/build.py)
_PAGES_LINE = re.compile(r"pages fetched:\s*(\d+)")
_SUMMARY_END = re.compile(r"^\s*database:")  # the last line of the crawl summary
EXIT_GRACE = 15.0  # seconds a crawler may take to exit after printing its summary
MAX_PAGES_PER_HOST = 1_000_000  # no host budget in either crawl: the portal's size decides
SAME_SET_TOLERANCE = 0.02  # the two URL sets may differ by this share


@dataclass
class CrawlFigures:
    """One crawl's measured figures."""

    name: str
    pages: int
    seconds: float
    cpu_seconds: float
    #: ``ru_maxrss`` from ``wait4``: the largest of the child and the descendants it reaped.
    maxrss_mb: float
    exit_code: int
    hung_at_exit: bool = False
    #: Sampled from /proc every 0.5 s (:mod:`benchmarks.proctree`): the largest RSS per process
    #: kind (``crawler`` is the child itself), the largest PSS sum over the tree and its make-up.
    tree: TreeFigures = field(default_factory=TreeFigures)

    @property
    def peak_mb(self) -> float:
        """The largest single process, whichever way it was seen: ``ru_maxrss`` misses a helper
        that was not reaped through the child (the parse forkserver outlives the crawler, so
        its workers' LibreOffice is not counted); sampling misses a spike under 0.5 s."""
        return max(self.maxrss_mb, *self.tree.peak_by_kind.values(), 0.0)

    @property
    def pages_per_second(self) -> float:
        """Throughput over wall time; 0 when nothing was fetched."""
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    @property
    def pages_per_cpu_second(self) -> float:
        """Throughput per CPU-second (user + system, the child and the children it reaped)."""
        return self.pages / self.cpu_seconds if self.cpu_seconds > 0 else 0.0


# --- measuring children ---------------------------------------------------------------------


def measure(name: str, argv: Sequence[str], log_path: Path,
            done_line: re.Pattern[str] | None = None) -> tuple[CrawlFigures, str]:
    """Run ``argv`` as a child; wall time, peak RSS (``wait4``) and its stdout.

    When ``done_line`` is given, the time stops at the first stdout line matching it, and a child
    still alive :data:`EXIT_GRACE` seconds later is killed with its process group (``hung_at_exit``).
    """
    hung = False
    with open(log_path, "wb") as log:
        started = time.monotonic()
        child = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=log, cwd=ROOT,
                                 start_new_session=True)
        sampler = TreeSampler(child.pid).start()
        assert child.stdout is not None
        lines: list[str] = []
        ended: float | None = None
        for raw in child.stdout:
            lines.append(raw.decode("utf-8", "replace"))
            if done_line is not None and done_line.search(lines[-1]):
                ended = time.monotonic()
                break
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        grace_end = time.monotonic() + EXIT_GRACE
        while pid == 0 and time.monotonic() < grace_end:
            time.sleep(0.2)
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        tree = sampler.stop()  # before the kill below: what a hung crawler held counts
        if pid == 0:
            hung = True
            os.killpg(child.pid, signal.SIGKILL)  # the group we started: the child and its forks
            _, status, usage = os.wait4(child.pid, 0)
        lines.extend(raw.decode("utf-8", "replace") for raw in child.stdout.readlines())
        seconds = (ended or time.monotonic()) - started
        child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen quiet
    maxrss_mb = usage.ru_maxrss / 1024  # KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    return CrawlFigures(name, 0, seconds, cpu, maxrss_mb, child.returncode, hung, tree), "".join(lines)


def bare_crawl(urls: Sequence[str], work: Path) -> tuple[CrawlFigures, set[str]]:
    """The bare spider (``benchmarks/bare_spider.py``) against ``urls``; figures and URLs answered."""
    seeds, answered = work / "seeds.txt", work / "bare-urls.txt"
    seeds.write_text("\n".join(urls) + "\n", encoding="utf-8")
    figures, _ = measure("bare scrapy", [sys.executable, str(ROOT / "benchmarks" / "bare_spider.py"),
                                         str(seeds), str(answered), "--max-pages-per-host",
                                         str(MAX_PAGES_PER_HOST)], work / "bare.log")
    fetched = set(answered.read_text(encoding="utf-8").split()) if answered.exists() else set()
    figures.pages = len(fetched)
    return figures, fetched


def govreports_crawl(urls: Sequence[str], ca_file: Path, work: Path
                     ) -> tuple[CrawlFigures, set[str]]:
    """``govreports crawl`` against ``urls``, archiving and parsing into ``work``; figures and
    the URLs it captured with an answer off the wire."""
    from storage.repository import ArchiveDB

    exe = Path(sys.executable).with_name("govreports")
    db_url = f"sqlite:///{work / 'govreports.db'}"
    argv = [str(exe), "crawl", *urls, "--db", db_url,
            "--archive", str(work / "archive"), "--local", "--ca-file", str(ca_file),
            "--max-pages-per-host", str(MAX_PAGES_PER_HOST)]
    figures, out = measure("govreports", argv, work / "govreports.log",
                          _SUMMARY_END)
    (work / "govreports.out").write_text(out, encoding="utf-8")
    db = ArchiveDB(db_url, migrate=False)
    try:
        fetched = {final or url for url, final, status in db.run_fetches(1) if status is not None}
    finally:
        db.close()
    match = _PAGES_LINE.search(out)
    figures.pages = int(match.group(1)) if match else len(fetched)
    return figures, fetched


def compare_urls(bare: set[str], gov: set[str]) -> tuple[float, str]:
    """The share of URLs fetched by one crawl only, and a line saying so (with examples)."""
    only_bare, only_gov = sorted(bare - gov), sorted(gov - bare)
    union = len(bare | gov) or 1
    share = (len(only_bare) + len(only_gov)) / union
    line = (f"URL sets: {len(bare & gov)} common, {len(only_bare)} bare only, {len(only_gov)} "
            f"govreports only: {share:.1%} differ "
            f"({'within' if share <= SAME_SET_TOLERANCE else 'OVER'} {SAME_SET_TOLERANCE:.0%})")
    for label, sample in (("bare only", only_bare), ("govreports only", only_gov)):
        if sample:
            line += f"\n  e.g. {label}: " + ", ".join(sample[:4])
    return share, line


# --- report ---------------------------------------------------------------------------------


def render(rows: Sequence[CrawlFigures], scale: int) -> str:
    """The comparison table, with govreports/bare ratios."""
    lines = [f"Crawl benchmark, sample portal scale {scale}",
             f"{'crawler':<15}{'pages':>8}{'wall s':>9}{'pages/s':>9}{'CPU s':>9}"
             f"{'pages/CPU-s':>13}{'peak MB':>9}{'maxrss':>8}{'exit':>6}"]
    for r in rows:
        lines.append(f"{r.name:<15}{r.pages:>8}{r.seconds:>9.1f}{r.pages_per_second:>9.1f}"
                     f"{r.cpu_seconds:>9.1f}{r.pages_per_cpu_second:>13.1f}"
                     f"{r.peak_mb:>9.1f}{r.maxrss_mb:>8.1f}{r.exit_code:>6}"
                     + ("  (hung after its summary; killed)" if r.hung_at_exit else ""))
    gov, bare = rows[1], rows[0]
    if bare.pages and bare.peak_mb and bare.pages_per_second and bare.pages_per_cpu_second:
        lines.append(f"{'ratio gov/bare':<15}{gov.pages / bare.pages:>8.2f}"
                     f"{gov.seconds / bare.seconds:>9.2f}"
                     f"{gov.pages_per_second / bare.pages_per_second:>9.2f}"
                     f"{gov.cpu_seconds / bare.cpu_seconds:>9.2f}"
                     f"{gov.pages_per_cpu_second / bare.pages_per_cpu_second:>13.2f}"
                     f"{gov.peak_mb / bare.peak_mb:>9.2f}{gov.maxrss_mb / bare.maxrss_mb:>8.2f}")
        lines.append("targets (issue 9): pages/CPU-s ratio >= 0.80, peak MB ratio <= 1.50")
    lines.extend(render_tree(r) for r in rows)
    return "\n".join(lines)


def render_tree(r: CrawlFigures) -> str:
    """Sampled memory per process kind, the tree's peak sum, the crawler's RSS over time."""
    t = r.tree
    kinds = ", ".join(f"{kind} {mb:.1f}" + (f" (x{t.processes_by_kind[kind]})"
                                            if t.processes_by_kind.get(kind, 1) > 1 else "")
                      for kind, mb in sorted(t.peak_by_kind.items(), key=lambda kv: -kv[1]))
    at_peak = " + ".join(f"{kind} {mb:.1f}" for kind, mb in t.tree_at_peak.items())
    line = (f"{r.name}: peak RSS per process (MB, sampled every 0.5 s, {t.samples} samples): "
            f"{kinds or 'none'}\n  tree peak (sum of PSS) {t.peak_tree_mb:.1f} MB = {at_peak or '-'}"
            f"\n  CPU seconds of the whole tree (sampled): {t.cpu_seconds:.1f} "
            f"(wait4 counts {r.cpu_seconds:.1f}: not the processes the crawler did not reap)")
    if len(t.timeline) >= 4:
        n = len(t.timeline)
        points = [t.timeline[min(n - 1, n * q // 4)] for q in (1, 2, 3, 4)]
        line += "\n  crawler RSS over time: " + ", ".join(
            f"{mb:.0f} MB at {sec:.0f} s" for sec, mb, _ in points)
    return line


def main(argv: Sequence[str] | None = None) -> int:
    """Run both crawls on one portal and print the table."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int,
                        help=f"portal size in pages (scale = pages / {PAGES_PER_SCALE}): "
                             "20000 or 100000 for issue 9's table")
    parser.add_argument("--scale", type=int, default=BENCHMARK_SCALE,
                        help=f"portal scale (default {BENCHMARK_SCALE}: about 21,000 pages)")
    parser.add_argument("--quick", action="store_true", help=f"smoke run at scale {QUICK_SCALE}")
    parser.add_argument("--out", type=Path, help="also save the figures as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, archive)")
    opts = parser.parse_args(args)
    scale = (QUICK_SCALE if opts.quick
             else max(1, -(-opts.pages // PAGES_PER_SCALE)) if opts.pages else opts.scale)

    work = Path(tempfile.mkdtemp(prefix="govreports-bench-crawl-"))
    print(f"building portal at scale {scale}; work folder {work}", file=sys.stderr)
    with SamplePortal(seed=0, scale=scale) as portal:
        # the virtual-host site needs --resolve, which the bare spider has not: both crawl
        # the sites served on 127.0.0.1 (all of the noise pages)
        urls = [url for url in portal.seed_urls if "//127.0.0.1:" in url]
        bare, bare_urls = bare_crawl(urls, work)
        gov, gov_urls = govreports_crawl(urls, portal.certificate_path, work)
    rows = [bare, gov]
    share, same_line = compare_urls(bare_urls, gov_urls)
    print(render(rows, scale))
    print(same_line)
    if opts.out:
        opts.out.write_text(json.dumps(
            {"scale": scale, "url_sets_differ": share,
             "crawls": [asdict(r) | {"pages_per_second": r.pages_per_second,
                                     "pages_per_cpu_second": r.pages_per_cpu_second,
                                     "peak_mb": r.peak_mb}
                        for r in rows]}, indent=2) + "\n", encoding="utf-8")
    if opts.keep:
        print(f"logs and archive kept in {work}", file=sys.stderr)
    else:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r.exit_code == 0 and r.pages > 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
