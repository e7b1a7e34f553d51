"""One key=value formatter: a record's extra= fields reach the CLI's and the crawl log's lines."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils import log as scrapy_log

from crawler.logs import KeyValueFormatter, StructuredLogs, stderr_handler
from crawler.schedules.events import log_event
from crawler.testbed.sample_portal import SamplePortal
from tests.crawl_helpers import CrawlDirs, crawl_command, run_cli


def test_extra_fields_follow_the_message() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tests.logs.cli")
    logger.addHandler(stderr_handler(stream))
    logger.propagate = False
    try:
        logger.warning("fetch failed", extra={"url": "http://127.0.0.1:1/a b", "kind": "timeout"})
    finally:
        logger.handlers.clear()
    line = stream.getvalue().strip()
    assert " level=WARNING logger=tests.logs.cli fetch failed " in line
    assert line.endswith('url="http://127.0.0.1:1/a b" kind=timeout'), line


def test_fields_stay_on_the_first_line_of_a_traceback() -> None:
    formatter = KeyValueFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "crashed", (), sys.exc_info(),
            extra={"event_key": "k1"})
    first, *rest = formatter.format(record).splitlines()
    assert first.endswith("crashed event_key=k1")
    assert rest[-1] == "ValueError: boom"


def test_schedule_events_are_fields() -> None:
    stream = io.StringIO()
    events = logging.getLogger("govreports.schedules")
    saved = events.handlers[:], events.propagate, events.level
    events.handlers[:] = [stderr_handler(stream)]
    events.propagate = False
    events.setLevel(logging.INFO)
    try:
        log_event("skipped", schedule="portal", id=3, reason="lease held")
    finally:
        events.handlers[:], events.propagate, events.level = saved
    assert stream.getvalue().rstrip().endswith('event=skipped schedule=portal id=3 reason="lease held"')


def test_crawl_log_keeps_extra_fields(tmp_path: Path) -> None:
    """Scrapy's own root handler (LOG_FILE) writes the fields once the extension is built, and
    still once ``Crawler.crawl()`` has built it anew from the crawler's settings."""
    log_file = tmp_path / "crawl.log"
    settings = Settings()
    settings.setmodule("crawler.settings")
    settings.set("LOG_FILE", str(log_file))
    scrapy_log.configure_logging(settings)
    crawler = Crawler(type("S", (Spider,), {"name": "s"}), settings)
    extension = StructuredLogs.from_crawler(crawler)  # held, as the crawler's extensions are
    spider_log = logging.getLogger("spiders.portal")
    before = list(logging.root.handlers)  # an earlier in-process crawl's are not this test's
    try:
        spider_log.info("fetch failed",
                        extra={"url": "http://127.0.0.1:9/x", "kind": "dns", "spider": object()})
        scrapy_log.install_scrapy_root_handler(crawler.settings)  # as Crawler.crawl() does
        spider_log.info("list cut", extra={"kind": "paging", "page": 2})
    finally:
        crawler.signals.send_catch_log(signals.engine_stopped)
        del extension
        handler = scrapy_log.get_scrapy_root_handler()
        assert handler is not None
        logging.root.removeHandler(handler)
        handler.close()
    assert not [h for h in logging.root.handlers
                if type(h).__module__ == "crawler.logs" and h not in before]
    text = log_file.read_text(encoding="utf-8")
    assert "logger=spiders.portal fetch failed url=http://127.0.0.1:9/x kind=dns\n" in text, text
    assert "logger=spiders.portal list cut kind=paging page=2\n" in text, text


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.slow
def test_crawl_log_keeps_fields_for_the_whole_crawl(tmp_path: Path) -> None:
    """Lines logged once the crawl runs (a list cut, a failed fetch, the resumed frontier) keep
    their fields in crawl.log: every line of the run log (same formatter, same records) is there."""
    dirs = CrawlDirs(tmp_path)
    with SamplePortal(seed=0) as portal:
        command = crawl_command(dirs, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                "--today", "2025-06-01", *portal.resolve_args())
        for extra in (["--max-pages", "60"], ["--resume", "--max-pages", "60"]):
            result = run_cli([*command, *extra])
            assert result.returncode == 0, result.stderr[-3000:]
    logs = dirs.archive / "logs"
    crawl_log, run_log = _lines(logs / "crawl.log"), _lines(logs / "run-1.log")
    # lines with fields logged while pages are fetched: the spider's (a list cut, a failed
    # fetch), a host's soft-404 probe, an alert recorded as reports are found
    mid_crawl = [line for line in run_log
                 if (" logger=portal " in line and " url=" in line)
                 or (" logger=crawler.middlewares.soft404 " in line and " host=" in line)
                 or (" logger=crawler.reports.changes alert recorded " in line and " key=" in line)]
    assert mid_crawl, "no line with fields logged mid-crawl (list cut, soft-404 probe, alert) to compare"
    assert any(" frontier resumed queued=" in line for line in run_log)
    missing = [line for line in run_log if line not in set(crawl_log)]
    assert not missing, f"{len(missing)} run-log lines not in crawl.log, e.g. {missing[:3]}"
