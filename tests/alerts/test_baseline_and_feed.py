"""``crawl --baseline`` records a first crawl without announcing it; the Atom feed filters and
links each entry to the archived report page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from crawler.alerts.atom import entry_id
from crawler.reports.regions import in_region
from crawler.testbed.sample_portal import SamplePortal
from crawler.testbed.synthetic_archive import build_synthetic_archive
from storage.models import AlertDelivery, AlertEvent
from tests.alerts.helpers import WebhookReceiver
from tests.crawl_helpers import CrawlDirs, crawl_command
from tests.web.helpers import ServeProcess

GOVREPORTS = [sys.executable, "-m", "crawler.cli.main"]


def _events(db_url: str) -> tuple[list[AlertEvent], int]:
    engine = create_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        events = list(session.scalars(select(AlertEvent)))
        deliveries = int(session.scalar(select(func.count()).select_from(AlertDelivery)) or 0)
    engine.dispose()
    return events, deliveries


@pytest.mark.slow  # two whole crawls of the sample portal (about a minute): the flag end to end
def test_baseline_crawl_records_events_and_announces_none(tmp_path: Path) -> None:
    dirs = CrawlDirs(tmp_path)
    feed = tmp_path / "feed.atom"
    with SamplePortal() as portal, WebhookReceiver(secret="s") as receiver:
        env = dict(os.environ, GOVREPORTS_WEBHOOK_URL=receiver.url, GOVREPORTS_WEBHOOK_SECRET="s",
                   GOVREPORTS_ATOM_PATH=str(feed), GOVREPORTS_CONFIG=str(tmp_path / "none.toml"))
        (tmp_path / "none.toml").write_text("")
        command = crawl_command(dirs, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                "--today", "2025-06-01")
        result = run_cli_env([*command, "--baseline"], env)
        assert result.returncode == 0, result.stderr[-2000:]
        events, deliveries = _events(dirs.db_url)
        assert len(events) > 10 and all(e.baseline for e in events)
        assert {e.type for e in events} >= {"new_report"}
        assert deliveries == 0 and receiver.keys() == []
        assert feedparser.parse(feed.read_bytes()).entries == []  # the feed announces nothing
        listed = run_cli_env([*GOVREPORTS, "alerts", "--json", "--db", dirs.db_url], env)
        rows = [json.loads(line) for line in listed.stdout.splitlines()]
        assert len(rows) == len(events) and all(r["baseline"] and r["deliveries"] == [] for r in rows)

        again = run_cli_env(command, env)  # a normal crawl afterwards: the baseline stays silent
        assert again.returncode == 0, again.stderr[-2000:]
        baseline_keys = {e.key for e in events}
        assert not baseline_keys & set(receiver.keys())


def run_cli_env(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, env=env, check=False)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, int]]:
    """A served synthetic archive whose first alert event is marked baseline; (URL, db URL, its id)."""
    root = tmp_path_factory.mktemp("feed")
    db_url = f"sqlite:///{root / 'a.db'}"
    build_synthetic_archive(db_url, root / "archive", reports=60, seed=5)
    engine = create_engine(db_url)
    with Session(engine) as session:
        first = session.scalar(select(func.min(AlertEvent.id)))
        assert first is not None
        session.execute(update(AlertEvent).where(AlertEvent.id == first).values(baseline=True))
        session.commit()
    engine.dispose()
    server = ServeProcess(db_url, root / "archive")
    server.wait_ready()
    try:
        yield server.base_url, db_url, int(first)
    finally:
        server.stop()


def test_feed_filters_and_links_to_the_archived_report(served: tuple[str, str, int]) -> None:
    base, db_url, baseline_id = served
    events, _ = _events(db_url)
    announced = [e for e in events if not e.baseline]
    everything = feedparser.parse(httpx.get(f"{base}/alerts.atom", timeout=30).content)
    assert len(everything.entries) == min(100, len(announced)) > 0
    baseline_key = next(e.key for e in events if e.id == baseline_id)
    assert entry_id(baseline_key) not in {entry.id for entry in everything.entries}
    for entry in everything.entries:
        links = {link.rel: link.href for link in entry.links}
        archived = "/agencies/" if "report_overdue" in entry.id else "/reports/"  # overdue: no report yet
        assert links["alternate"].startswith(f"{base}{archived}"), links  # the archived page, absolute
        assert httpx.get(links["alternate"], timeout=30).status_code == 200
    with_via = [e for e in everything.entries if any(link.rel == "via" for link in e.links)]
    assert with_via, "the government URL stays, as rel=via"

    changed = feedparser.parse(httpx.get(f"{base}/alerts.atom", params={"type": "report_changed"},
                                         timeout=30).content)
    expected = sum(1 for e in announced if e.type == "report_changed")
    assert len(changed.entries) == min(100, expected) > 0
    assert {t.term for e in changed.entries for t in e.tags} == {"report_changed"}

    agency = announced[-1].agency
    by_agency = feedparser.parse(httpx.get(f"{base}/alerts.atom", params={"agency": agency}, timeout=30).content)
    assert len(by_agency.entries) == sum(1 for e in announced if agency in e.agency) > 0

    region = next(r for r in ("宁夏", "甘肃", "青海") if any(in_region(e.agency, r) for e in announced))
    regional = feedparser.parse(httpx.get(f"{base}/alerts.atom", params={"region": region}, timeout=30).content)
    assert len(regional.entries) == min(100, sum(1 for e in announced if in_region(e.agency, region))) > 0
    assert len(regional.entries) < len(everything.entries) or len(everything.entries) == 100


def test_feed_refuses_unknown_parameters(served: tuple[str, str, int]) -> None:
    base, _, _ = served
    response = httpx.get(f"{base}/alerts.atom", params={"agnecy": "x"}, timeout=30)
    assert response.status_code == 400 and "agnecy" in response.text
    assert httpx.get(f"{base}/alerts.atom", params={"type": "nope"}, timeout=30).status_code in (400, 422)
