"""Crawl throughput: pages per second and peak memory of ``govreports crawl`` against a bare spider.

Run: ``.venv/bin/python benchmarks/crawl.py [--scale N | --quick] [--out FILE.json]``.
One :class:`~crawler.testbed.sample_portal.SamplePortal` (threads in this process, 127.0.0.1 only) serves
both crawls in the same run. Each crawl is a child process (a Twisted reactor cannot restart);
its wall time and peak resident memory come from ``os.wait4``. The bare spider only follows
``<a href>`` links on the same host:port, with the same concurrency, robots.txt and depth limit
as the real crawler, and archives nothing; it drops session ids from links (else every visit
mints new URLs and it never ends).
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
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler import settings as crawler_settings  # noqa: E402
from crawler.testbed.sample_portal import BENCHMARK_SCALE, SamplePortal  # noqa: E402

QUICK_SCALE = 2
BARE_MODE = "--bare-spider"  # internal: run the bare spider in this (child) process
_PAGES_LINE = re.compile(r"pages fetched:\s*(\d+)")
_SUMMARY_END = re.compile(r"^\s*database:")  # the last line of the crawl summary
EXIT_GRACE = 15.0  # seconds a crawler may take to exit after printing its summary
_BARE_RESULT = "BARE-RESULT "
_SESSION_PARAM = re.compile(r";jsessionid=[^/?#]*|(?<=[?&])(?:sid|jsessionid)=[^&#]*&?", re.I)

BARE_SETTINGS: dict[str, Any] = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": True,
    "DEPTH_LIMIT": crawler_settings.DEPTH_LIMIT,
    "DOWNLOAD_MAXSIZE": crawler_settings.DOWNLOAD_MAXSIZE,
    "HTTPERROR_ALLOW_ALL": True,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
}


@dataclass
class CrawlFigures:
    """One crawl's measured figures."""

    name: str
    pages: int
    seconds: float
    peak_mb: float
    exit_code: int
    hung_at_exit: bool = False

    @property
    def pages_per_second(self) -> float:
        """Throughput; 0 when nothing was fetched."""
        return self.pages / self.seconds if self.seconds > 0 else 0.0


# --- the bare spider (child process) --------------------------------------------------------


def run_bare_spider(urls: Sequence[str]) -> int:
    """Crawl ``urls`` following same-host links only; print the response count. Returns 0."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Response, TextResponse

    class BareSpider(scrapy.Spider):
        """Follows every ``<a href>`` that stays on the host:port it was found on."""

        name = "bare"

        async def start(self) -> Any:
            for url in urls:
                yield scrapy.Request(url)

        def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
            if not isinstance(response, TextResponse):
                return
            here = urlsplit(response.url).netloc
            for href in response.css("a::attr(href)").getall():
                url = _SESSION_PARAM.sub("", response.urljoin(href.strip())).rstrip("?&")
                parts = urlsplit(url)
                if parts.scheme in ("http", "https") and parts.netloc == here:
                    yield scrapy.Request(url)

    process = CrawlerProcess(settings=BARE_SETTINGS)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(_BARE_RESULT + json.dumps({"pages": int(stats.get("response_received_count", 0))}),
          flush=True)
    return 0


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
        if pid == 0:
            hung = True
            os.killpg(child.pid, signal.SIGKILL)  # the group we started: the child and its forks
            _, status, usage = os.wait4(child.pid, 0)
        lines.extend(raw.decode("utf-8", "replace") for raw in child.stdout.readlines())
        seconds = (ended or time.monotonic()) - started
        child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen quiet
    peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
    return CrawlFigures(name, 0, seconds, peak_mb, child.returncode, hung), "".join(lines)


def bare_crawl(urls: Sequence[str], work: Path) -> CrawlFigures:
    """The bare spider against ``urls``."""
    figures, out = measure("bare scrapy", [sys.executable, __file__, BARE_MODE, *urls],
                           work / "bare.log")
    for line in out.splitlines():
        if line.startswith(_BARE_RESULT):
            figures.pages = int(json.loads(line[len(_BARE_RESULT):])["pages"])
    return figures


def govreports_crawl(urls: Sequence[str], ca_file: Path, work: Path) -> CrawlFigures:
    """``govreports crawl`` against ``urls``, archiving and parsing into ``work``."""
    exe = Path(sys.executable).with_name("govreports")
    argv = [str(exe), "crawl", *urls, "--db", f"sqlite:///{work / 'govreports.db'}",
            "--archive", str(work / "archive"), "--local", "--ca-file", str(ca_file),
            "--max-pages-per-host", "100000"]
    figures, out = measure("govreports", argv, work / "govreports.log",
                          _SUMMARY_END)
    match = _PAGES_LINE.search(out)
    figures.pages = int(match.group(1)) if match else 0
    (work / "govreports.out").write_text(out, encoding="utf-8")
    return figures


# --- report ---------------------------------------------------------------------------------


def render(rows: Sequence[CrawlFigures], scale: int) -> str:
    """The comparison table, with govreports/bare ratios."""
    lines = [f"Crawl benchmark, sample portal scale {scale}",
             f"{'crawler':<14}{'pages':>8}{'seconds':>10}{'pages/s':>10}{'peak MB':>10}{'exit':>6}"]
    for r in rows:
        lines.append(f"{r.name:<14}{r.pages:>8}{r.seconds:>10.1f}{r.pages_per_second:>10.1f}"
                     f"{r.peak_mb:>10.1f}{r.exit_code:>6}"
                     + ("  (hung after its summary; killed)" if r.hung_at_exit else ""))
    gov, bare = rows[1], rows[0]
    if bare.pages and bare.peak_mb and bare.pages_per_second:
        lines.append(f"{'ratio gov/bare':<14}{gov.pages / bare.pages:>8.2f}"
                     f"{gov.seconds / bare.seconds:>10.2f}"
                     f"{gov.pages_per_second / bare.pages_per_second:>10.2f}"
                     f"{gov.peak_mb / bare.peak_mb:>10.2f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run both crawls on one portal and print the table."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == BARE_MODE:
        return run_bare_spider(args[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=int, default=BENCHMARK_SCALE,
                        help=f"portal scale (default {BENCHMARK_SCALE}: about 21,000 pages)")
    parser.add_argument("--quick", action="store_true", help=f"smoke run at scale {QUICK_SCALE}")
    parser.add_argument("--out", type=Path, help="also save the figures as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, archive)")
    opts = parser.parse_args(args)
    scale = QUICK_SCALE if opts.quick else opts.scale

    work = Path(tempfile.mkdtemp(prefix="govreports-bench-crawl-"))
    print(f"building portal at scale {scale}; work folder {work}", file=sys.stderr)
    with SamplePortal(seed=0, scale=scale) as portal:
        # the virtual-host site needs --resolve, which the bare spider has not: both crawl
        # the sites served on 127.0.0.1 (all of the noise pages)
        urls = [url for url in portal.seed_urls if "//127.0.0.1:" in url]
        rows = [bare_crawl(urls, work), govreports_crawl(urls, portal.certificate_path, work)]
    print(render(rows, scale))
    if opts.out:
        opts.out.write_text(json.dumps(
            {"scale": scale, "crawls": [asdict(r) | {"pages_per_second": r.pages_per_second}
                                        for r in rows]}, indent=2) + "\n", encoding="utf-8")
    if opts.keep:
        print(f"logs and archive kept in {work}", file=sys.stderr)
    else:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r.exit_code == 0 and r.pages > 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
