"""Delivery passes: per-delivery commits, retries with backoff, idempotency, crash safety."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import select

from crawler.alerts.atom import entry_id
from crawler.alerts.config import AlertSettings
from crawler.alerts.delivery import backoff, deliver_pending
from storage.models import AlertDelivery, AlertEvent
from storage.repository import ArchiveDB
from tests.alerts.helpers import (
    CHANGED_DETAILS,
    T0,
    MailSink,
    WebhookReceiver,
    add_event,
    cli,
    refused_url,
    start_smtp,
)

GOVREPORTS = [sys.executable, "-m", "crawler.cli.main"]
NO_SLEEP: list[float] = []


def quick(url: str, **extra: object) -> AlertSettings:
    return AlertSettings(webhook_url=url, retry_wait=0.01, **extra)  # type: ignore[arg-type]


def deliveries(db: ArchiveDB) -> list[AlertDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def test_each_event_is_delivered_once_per_channel(db: ArchiveDB, tmp_path: Path) -> None:
    sink = MailSink()
    smtp = start_smtp(sink)
    try:
        with WebhookReceiver(secret="k") as receiver:
            settings = quick(receiver.url, webhook_secret="k", smtp_host="127.0.0.1",
                             smtp_port=smtp.port, smtp_from="g@example.org", smtp_to=["r@example.org"],
                             atom_path=tmp_path / "alerts.atom")
            assert add_event(db, "new_report:北京市财政局:2025", channels=tuple(settings.channels()))
            assert not add_event(db, "new_report:北京市财政局:2025", channels=tuple(settings.channels())), \
                "the same key again is no new event"
            add_event(db, "report_changed:北京市财政局:2025:v2", type_="report_changed",
                      details=CHANGED_DETAILS, channels=("webhook", "email"), at=T0 + dt.timedelta(hours=1))
            first = deliver_pending(db.engine, settings, now=T0 + dt.timedelta(hours=2))
            second = deliver_pending(db.engine, settings, now=T0 + dt.timedelta(days=30))
    finally:
        smtp.stop()
    assert (first.delivered, first.failed, second.delivered, second.failed) == (4, 0, 0, 0)
    assert receiver.keys() == ["new_report:北京市财政局:2025", "report_changed:北京市财政局:2025:v2"]
    assert all(r.signature_ok for r in receiver.requests)
    assert len(sink.messages) == 2
    assert db.session.scalar(select(AlertEvent.id).where(AlertEvent.key == "new_report:北京市财政局:2025"))
    rows = deliveries(db)
    assert [(d.channel, d.state, d.attempts) for d in rows] == [
        ("webhook", "delivered", 1), ("email", "delivered", 1)] * 2
    assert all(d.delivered_at == T0 + dt.timedelta(hours=2) for d in rows)
    feed = feedparser.parse((tmp_path / "alerts.atom").read_bytes())
    assert not feed.bozo
    assert [e.id for e in feed.entries] == [entry_id("report_changed:北京市财政局:2025:v2"),
                                           entry_id("new_report:北京市财政局:2025")]


def test_failing_receiver_is_retried_on_later_passes_and_shown(db: ArchiveDB, tmp_path: Path) -> None:
    add_event(db, "new_report:a:2025", agency="甲市人民政府")
    sleeps: list[float] = []
    with WebhookReceiver(fail_first=4) as receiver:
        settings = quick(receiver.url)
        one = deliver_pending(db.engine, settings, now=T0, sleep=sleeps.append)
        assert (one.delivered, one.failed) == (0, 1)
        assert len(receiver.requests) == 3, "three quick tries inside the pass"
        assert sleeps == [0.01, 0.02], "exponential backoff between them"
        [row] = deliveries(db)
        assert (row.state, row.attempts) == ("failed", 1)
        assert row.last_error is not None and row.last_error.startswith("HTTP 503")
        assert row.next_attempt_at == T0 + dt.timedelta(seconds=60)

        listed = cli(tmp_path, "--db", db.url)
        assert listed.returncode == 0, listed.stderr
        assert "new_report     甲市人民政府 2025" in listed.stdout
        assert "webhook: failed (1 attempt, next 2026-02-01 08:01Z: HTTP 503" in listed.stdout

        early = deliver_pending(db.engine, settings, now=T0 + dt.timedelta(seconds=59), sleep=NO_SLEEP.append)
        assert early.outcomes == [] and len(receiver.requests) == 3, "not due yet: left alone"
        later = deliver_pending(db.engine, settings, now=T0 + dt.timedelta(seconds=60), sleep=NO_SLEEP.append)
    assert (later.delivered, later.failed) == (1, 0)
    assert len(receiver.requests) == 5 and set(receiver.keys()) == {"new_report:a:2025"}
    [row] = deliveries(db)
    assert (row.state, row.attempts, row.next_attempt_at) == ("delivered", 2, None)

    listed = cli(tmp_path, "--db", db.url, "--json")
    [line] = listed.stdout.splitlines()
    record = json.loads(line)
    assert record["key"] == "new_report:a:2025" and record["agency"] == "甲市人民政府"
    assert record["created_at"] == "2026-02-01T08:00:00Z"
    assert record["details"] == {"url": "http://portal.test/r.pdf"}
    assert record["deliveries"] == [{
        "channel": "webhook", "state": "delivered", "attempts": 2, "next_attempt_at": None,
        "last_error": None, "delivered_at": "2026-02-01T08:01:00Z"}]


def test_unreachable_endpoint_stays_failed_visible_and_retried(db: ArchiveDB, tmp_path: Path) -> None:
    add_event(db, "report_removed:b:2024", type_="report_removed", agency="乙局", year=2024,
              details={"reason": "http_410", "urls": ["http://portal.test/b.html"]})
    url = refused_url()
    (tmp_path / "govreports.toml").write_text("[alerts]\nretry_wait = 0.01\n")  # found in the cwd
    run = cli(tmp_path, "deliver", "--db", db.url, env={"GOVREPORTS_WEBHOOK_URL": url})
    assert run.returncode == 1
    assert "FAILED     webhook report_removed 乙局 2024: cannot reach" in run.stdout
    assert "Connection refused" in run.stdout
    assert "0 delivered, 1 failed" in run.stdout
    assert "They stay queued and are retried by the next `govreports alerts deliver`" in run.stderr
    [row] = deliveries(db)
    assert (row.state, row.attempts) == ("failed", 1)
    first_due = row.next_attempt_at
    assert first_due is not None

    later = deliver_pending(db.engine, quick(url), now=first_due, sleep=NO_SLEEP.append)
    assert later.failed == 1
    [row] = deliveries(db)
    assert row.attempts == 2 and row.last_error is not None and "Connection refused" in row.last_error
    assert row.next_attempt_at == first_due + dt.timedelta(seconds=120), "backoff doubles"

    listed = cli(tmp_path, "--db", db.url, "--type", "report_removed")
    assert "report_removed 乙局 2024  the page answers HTTP 410 (gone): http://portal.test/b.html" in listed.stdout
    assert "webhook: failed (2 attempts, next " in listed.stdout and "Connection refused)" in listed.stdout
    assert cli(tmp_path, "--db", db.url, "--type", "new_report").stdout == ""


def test_non_transient_errors_are_not_retried_within_a_pass(db: ArchiveDB) -> None:
    add_event(db, "new_report:c:2025")
    with WebhookReceiver(fail_first=10, fail_status=400) as receiver:
        summary = deliver_pending(db.engine, quick(receiver.url), now=T0, sleep=NO_SLEEP.append)
    assert summary.failed == 1 and len(receiver.requests) == 1
    assert deliveries(db)[0].state == "failed"


def test_unconfigured_channel_waits_without_being_dropped(db: ArchiveDB, tmp_path: Path) -> None:
    add_event(db, "new_report:d:2025", channels=("webhook", "email"))
    with WebhookReceiver() as receiver:
        summary = deliver_pending(db.engine, quick(receiver.url, atom_path=tmp_path / "f.atom"), now=T0)
    assert summary.delivered == 1 and summary.unconfigured == {"email": 1}
    assert [(d.channel, d.state) for d in deliveries(db)] == [("webhook", "delivered"), ("email", "pending")]
    assert summary.atom_entries == 1 and summary.atom_written


def test_concurrent_passes_send_each_alert_once(db: ArchiveDB) -> None:
    for i in range(4):
        add_event(db, f"new_report:e{i}:2025", agency=f"机构{i}")
    summaries = []
    with WebhookReceiver(delay=0.1) as receiver:
        settings = quick(receiver.url)
        threads = [threading.Thread(target=lambda: summaries.append(deliver_pending(db.engine, settings)))
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(receiver.keys()) == sorted(f"new_report:e{i}:2025" for i in range(4))
    assert sum(s.delivered for s in summaries) == 4


def test_sigkill_mid_delivery_resends_at_most_the_one_in_flight(db: ArchiveDB, tmp_path: Path) -> None:
    keys = [f"new_report:f{i}:2025" for i in range(4)]
    for i, key in enumerate(keys):
        add_event(db, key, agency=f"单位{i}", at=T0 + dt.timedelta(minutes=i))
    with WebhookReceiver(secret="k", hold_on=2) as receiver:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
        env.update(GOVREPORTS_WEBHOOK_URL=receiver.url, GOVREPORTS_WEBHOOK_SECRET="k")
        process = subprocess.Popen([*GOVREPORTS, "alerts", "deliver", "--db", db.url], cwd=tmp_path,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert receiver.holding.wait(30), "the second alert reached the receiver"
        process.kill()
        process.wait(10)
        receiver.release.set()
        states = [d.state for d in deliveries(db)]
        assert states == ["delivered", "pending", "pending", "pending"]
        rerun = cli(tmp_path, "deliver", "--db", db.url, env=env)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    received = receiver.keys()
    assert received == [keys[0], keys[1], keys[1], keys[2], keys[3]], "only the in-flight one twice"
    assert all(r.signature_ok for r in receiver.requests)
    assert [d.state for d in deliveries(db)] == ["delivered"] * 4
    assert "3 delivered, 0 failed" in rerun.stdout


def test_list_filters_and_bad_dates(db: ArchiveDB, tmp_path: Path) -> None:
    add_event(db, "new_report:old:2024", year=2024, at=T0 - dt.timedelta(days=40))
    add_event(db, "report_overdue:g:2025", type_="report_overdue", agency="丙县人民政府",
              details={"deadline": "2026-03-31", "last_year": 2024}, at=T0, channels=())
    recent = cli(tmp_path, "list", "--db", db.url, "--since", "2026-01-15")
    lines = recent.stdout.splitlines()
    assert lines == ["2026-02-01 08:00Z  report_overdue 丙县人民政府 2025  nothing for 2025 after the "
                     "deadline 2026-03-31 (published for 2024)", "    no delivery channels"]
    everything = cli(tmp_path, "--db", db.url, "--json", "--since", "2025-12-01T00:00+08:00")
    assert [json.loads(x)["key"] for x in everything.stdout.splitlines()] == [
        "report_overdue:g:2025", "new_report:old:2024"]
    bad = cli(tmp_path, "--db", db.url, "--since", "last week")
    assert bad.returncode == 2 and "'last week' is not a date or datetime; use e.g. 2026-01-31" in bad.stderr


def test_backoff_doubles_and_is_capped() -> None:
    settings = AlertSettings(backoff_base=60, backoff_max=3600)
    assert [backoff(n, settings).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [
        60, 120, 240, 1920, 3600, 3600]


@pytest.mark.postgres
def test_delivery_on_postgresql(pg_url: str) -> None:
    db = ArchiveDB(pg_url)
    try:
        for i in range(3):
            add_event(db, f"new_report:pg{i}:2025", agency=f"机关{i}")
        with WebhookReceiver(fail_first=3, delay=0.05) as receiver:
            settings = quick(receiver.url)
            first = deliver_pending(db.engine, settings, now=T0, sleep=NO_SLEEP.append)
            assert (first.delivered, first.failed) == (2, 1)
            summaries = []
            threads = [threading.Thread(target=lambda: summaries.append(
                deliver_pending(db.engine, settings, now=T0 + dt.timedelta(minutes=5)))) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        assert sum(s.delivered for s in summaries) == 1
        assert sorted(set(receiver.keys())) == [f"new_report:pg{i}:2025" for i in range(3)]
        assert len(receiver.requests) == 3 + 2 + 1
        assert [d.state for d in deliveries(db)] == ["delivered"] * 3
    finally:
        db.close()


def test_a_down_channel_is_left_for_the_next_pass_after_failures_in_a_row(db: ArchiveDB) -> None:
    for i in range(7):
        add_event(db, f"new_report:h{i}:2025", agency=f"部门{i}", at=T0 + dt.timedelta(minutes=i))
    down = deliver_pending(db.engine, quick(refused_url()), now=T0 + dt.timedelta(hours=1),
                           give_up_after=5, sleep=NO_SLEEP.append)
    assert (down.failed, down.deferred) == (5, {"webhook": 2})
    assert [(d.state, d.attempts) for d in deliveries(db)] == [("failed", 1)] * 5 + [("pending", 0)] * 2
    with WebhookReceiver() as receiver:
        up = deliver_pending(db.engine, quick(receiver.url), now=T0 + dt.timedelta(hours=2))
    assert (up.delivered, up.failed, up.deferred) == (7, 0, {})
    assert receiver.keys() == [f"new_report:h{i}:2025" for i in range(7)]
