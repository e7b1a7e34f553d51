"""Per-channel digests (daily, weekly), the backlog opt-in, and the Atom file's filters and links,
against a real webhook receiver and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import select

from crawler.alerts.config import AlertConfigError, AlertSettings, load_settings
from crawler.alerts.delivery import deliver_pending
from crawler.alerts.digest import next_period, period_over
from crawler.alerts.outbox import record_event
from storage.models import AlertDelivery, AlertEvent
from storage.repository import ArchiveDB
from tests.alerts.helpers import (
    CHANGED_DETAILS,
    MailSink,
    WebhookReceiver,
    add_event,
    add_report,
    cli,
    start_smtp,
)

MON = dt.datetime(2026, 2, 2, 8, 0, tzinfo=dt.UTC)  # a Monday
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
BASE = "https://archive.example.org/govreports"
NO_SLEEP = {"sleep": lambda seconds: None}


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "govreports.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _mail(sink: MailSink) -> list[EmailMessage]:
    return [email.message_from_bytes(m.content, policy=email.policy.default)  # type: ignore[misc]
            for m in sink.messages]


def _states(db: ArchiveDB, channel: str) -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.execute(select(AlertEvent.key, AlertDelivery.state)
                              .join(AlertDelivery, AlertDelivery.event_id == AlertEvent.id)
                              .where(AlertDelivery.channel == channel))
    return {key: state for key, state in rows.all()}


def test_daily_webhook_and_weekly_email_digests(db: ArchiveDB, tmp_path: Path) -> None:
    sink = MailSink()
    smtp = start_smtp(sink)
    try:
        with WebhookReceiver(secret="k") as receiver:
            config = _config(tmp_path, f"""
[alerts]
base_url = "{BASE}/"
[alerts.webhook]
url = "{receiver.url}"
secret = "k"
digest = "daily"
[alerts.email]
host = "127.0.0.1"
port = {smtp.port}
from = "g@example.org"
to = ["r@example.org"]
digest = "weekly"
""")
            settings = load_settings(config)
            assert (settings.digest("webhook"), settings.digest("email")) == ("daily", "weekly")
            first = cli(tmp_path, "deliver", "--db", db.url, "--config", str(config), "--now", MON.isoformat())
            assert first.returncode == 0, first.stderr  # the channels are added now; nothing to send
            for n, agency in enumerate(["北京市财政局", "固原市原州区科学技术局", "宁夏回族自治区财政厅"], 1):
                add_event(db, f"new_report:{agency}:2025", agency=agency, channels=("webhook", "email"),
                          at=MON + n * HOUR)
            add_event(db, "report_changed:北京市财政局:2025:v2", type_="report_changed", details=CHANGED_DETAILS,
                      channels=("webhook", "email"), at=MON + 3 * HOUR + dt.timedelta(minutes=5))

            same_day = cli(tmp_path, "deliver", "--db", db.url, "--config", str(config),
                           "--now", (MON + 6 * HOUR).isoformat())
            assert same_day.returncode == 0, same_day.stderr
            assert receiver.requests == [] and sink.messages == []
            assert "waiting    webhook daily digest" in same_day.stdout
            assert "waiting    email   weekly digest" in same_day.stdout

            next_day = cli(tmp_path, "deliver", "--db", db.url, "--config", str(config),
                           "--now", "2026-02-03T00:10:00+00:00")
            assert next_day.returncode == 0, next_day.stderr
            assert "delivered  webhook daily digest of 4 alert(s)" in next_day.stdout
            assert len(receiver.requests) == 1 and sink.messages == []
            post = receiver.requests[0]
            body = post.payload
            assert post.signature_ok and post.headers["X-Govreports-Event"] == "digest"
            assert receiver.keys() == [body["id"]] and body["id"].startswith("digest:webhook:daily:")
            assert (body["type"], body["period"], body["count"]) == ("digest", "daily", 4)
            assert [e["id"] for e in body["events"]] == [
                "new_report:北京市财政局:2025", "new_report:固原市原州区科学技术局:2025",
                "new_report:宁夏回族自治区财政厅:2025", "report_changed:北京市财政局:2025:v2"]
            report_ids = [e["report_id"] for e in body["events"]]
            assert [e["archive_url"] for e in body["events"]] == [f"{BASE}/reports/{i}" for i in report_ids]
            assert set(_states(db, "webhook").values()) == {"delivered"}
            assert set(_states(db, "email").values()) == {"pending"}

            # the same day again: no second digest; a new event waits for the next day's
            now = dt.datetime(2026, 2, 3, 0, 20, tzinfo=dt.UTC)
            assert deliver_pending(db.engine, settings, now=now).outcomes == []
            add_event(db, "report_removed:北京市财政局:2024", type_="report_removed", year=2024,
                      details={"reason": "http_404", "urls": ["http://portal.test/2024.html"]},
                      channels=("webhook", "email"), at=now + 9 * HOUR)
            assert deliver_pending(db.engine, settings, now=now + 22 * HOUR).outcomes == []
            wednesday = deliver_pending(db.engine, settings, now=now + 30 * HOUR)
            assert [(o.channel, o.event_key) for o in wednesday.outcomes] == [
                ("webhook", "report_removed:北京市财政局:2024")]
            assert len(receiver.requests) == 2 and receiver.requests[1].payload["count"] == 1
            assert sink.messages == []

            sunday = dt.datetime(2026, 2, 8, 23, 59, tzinfo=dt.UTC)
            assert deliver_pending(db.engine, settings, now=sunday).outcomes == []
            monday = deliver_pending(db.engine, settings, now=sunday + 2 * dt.timedelta(minutes=3))
    finally:
        smtp.stop()
    assert {o.channel for o in monday.outcomes} == {"email"} and monday.delivered == 5
    [message] = _mail(sink)
    assert "每周摘要 Weekly digest: 5 条提醒 alerts" in str(message["Subject"])
    assert message["X-Govreports-Event"] == "digest"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for agency in ("北京市财政局", "固原市原州区科学技术局", "宁夏回族自治区财政厅"):
        assert agency in text
    assert f"Archived copy: {BASE}/reports/" in text and "http://portal.test/2024.html" in text
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert f'href="{BASE}/reports/' in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert set(_states(db, "email").values()) == {"delivered"}
    channels = cli(tmp_path, "channels", "--db", db.url, "--config", str(config))
    assert channels.returncode == 0, channels.stderr
    assert channels.stdout.splitlines() == [
        "webhook  daily     backlog no   added 2026-02-02 08:00Z  0 waiting  last digest 2026-02-09 00:05Z; "
        "next from 2026-02-10 00:00Z",  # the quiet days closed their (empty) periods
        "email    weekly    backlog no   added 2026-02-02 08:00Z  0 waiting  last digest 2026-02-09 00:05Z; "
        "next from 2026-02-16 00:00Z"]


def test_a_failed_digest_waits_for_its_retry_time_and_keeps_its_id(db: ArchiveDB) -> None:
    with WebhookReceiver(fail_first=3) as receiver:
        settings = AlertSettings(webhook_url=receiver.url, webhook_digest="daily", retry_wait=0.01)
        deliver_pending(db.engine, settings, now=MON, **NO_SLEEP)
        add_event(db, "new_report:北京市财政局:2025", at=MON + HOUR)
        add_event(db, "new_report:北京市教育委员会:2025", agency="北京市教育委员会", at=MON + 2 * HOUR)
        tuesday = MON + DAY
        failed = deliver_pending(db.engine, settings, now=tuesday, **NO_SLEEP)
        assert (failed.delivered, failed.failed) == (0, 2) and len(receiver.requests) == 3
        assert set(_states(db, "webhook").values()) == {"failed"}
        early = deliver_pending(db.engine, settings, now=tuesday + dt.timedelta(seconds=30), **NO_SLEEP)
        assert early.outcomes == [] and len(receiver.requests) == 3  # backing off (60 s)
        retried = deliver_pending(db.engine, settings, now=tuesday + 2 * HOUR, **NO_SLEEP)
    assert (retried.delivered, retried.failed) == (2, 0)
    keys = receiver.keys()
    assert len(keys) == 4 and len(set(keys)) == 1, "a resent digest has the same Idempotency-Key"
    assert receiver.requests[-1].payload["count"] == 2
    assert set(_states(db, "webhook").values()) == {"delivered"}


def test_a_channel_added_later_gets_the_backlog_only_when_it_opts_in(db: ArchiveDB, tmp_path: Path) -> None:
    # a crawl with no channel configured recorded these, one of them as a baseline
    add_event(db, "new_report:北京市财政局:2025", channels=(), at=MON)
    add_event(db, "new_report:北京市教育委员会:2025", agency="北京市教育委员会", channels=(), at=MON + HOUR)
    report = add_report(db, "北京市统计局", 2025)
    record_event(db.session, key="new_report:北京市统计局:2025", type="new_report", agency="北京市统计局",
                 year=2025, report_id=report, run_id=None, details={}, channels=(), now=MON,
                 baseline=True)
    db.session.commit()
    sink = MailSink()
    smtp = start_smtp(sink)
    try:
        with WebhookReceiver() as receiver:
            hook = AlertSettings(webhook_url=receiver.url)
            added = deliver_pending(db.engine, hook, now=MON + 2 * HOUR)
            assert added.outcomes == [] and receiver.requests == [], "no backlog without opting in"
            # recorded after the channel was added, by a process that does not configure it
            add_event(db, "new_report:北京市民政局:2025", agency="北京市民政局", channels=(), at=MON + 3 * HOUR)
            later = deliver_pending(db.engine, hook, now=MON + 4 * HOUR)
            assert receiver.keys() == ["new_report:北京市民政局:2025"] and later.queued == {"webhook": 1}

            config = _config(tmp_path, f"""
[alerts.email]
host = "127.0.0.1"
port = {smtp.port}
from = "g@example.org"
to = ["r@example.org"]
digest = "daily"
backlog = true
""")
            run = cli(tmp_path, "deliver", "--db", db.url, "--config", str(config),
                      "--now", (MON + 5 * HOUR).isoformat())
            assert run.returncode == 0, run.stderr
            assert "queued     email   3 alert(s) recorded without this channel (its backlog included)" in run.stdout
            assert sink.messages == []  # a daily channel: the backlog goes out in tomorrow's digest
            again = cli(tmp_path, "deliver", "--db", db.url, "--config", str(config),
                        "--now", (MON + DAY).isoformat())
            assert again.returncode == 0, again.stderr
            assert "queued" not in again.stdout and "daily digest of 3 alert(s)" in again.stdout
    finally:
        smtp.stop()
    [message] = _mail(sink)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert all(name in text for name in ("北京市财政局", "北京市教育委员会", "北京市民政局"))
    assert "北京市统计局" not in text, "a baseline event is never announced, backlog or not"
    assert set(_states(db, "email")) == {"new_report:北京市财政局:2025", "new_report:北京市教育委员会:2025",
                                         "new_report:北京市民政局:2025"}
    assert set(_states(db, "webhook")) == {"new_report:北京市民政局:2025"}


def test_digest_periods_follow_the_configured_calendar() -> None:
    afternoon = dt.datetime(2026, 2, 2, 15, 0, tzinfo=dt.UTC)  # 23:00 in Shanghai
    evening = afternoon + dt.timedelta(minutes=90)  # 00:30 the next day in Shanghai
    assert not period_over("daily", afternoon, evening, "UTC")
    assert period_over("daily", afternoon, evening, "Asia/Shanghai")
    sunday = dt.datetime(2026, 2, 8, 12, 0, tzinfo=dt.UTC)
    assert not period_over("weekly", afternoon, sunday, "UTC")
    assert period_over("weekly", afternoon, sunday + DAY, "UTC")
    assert next_period("daily", afternoon, "Asia/Shanghai") == dt.datetime(2026, 2, 2, 16, 0, tzinfo=dt.UTC)
    assert next_period("weekly", sunday, "UTC") == dt.datetime(2026, 2, 9, tzinfo=dt.UTC)


def test_atom_file_is_filtered_and_links_to_the_archive(db: ArchiveDB, tmp_path: Path) -> None:
    add_event(db, "report_changed:固原市原州区科学技术局:2025:v2", type_="report_changed",
              agency="固原市原州区科学技术局", details=CHANGED_DETAILS, channels=(), at=MON)
    add_event(db, "report_changed:北京市财政局:2025:v2", type_="report_changed", details=CHANGED_DETAILS,
              channels=(), at=MON + HOUR)
    add_event(db, "new_report:宁夏回族自治区财政厅:2025", agency="宁夏回族自治区财政厅", channels=(),
              at=MON + 2 * HOUR)
    add_event(db, "report_overdue:宁夏回族自治区民政厅:2025", type_="report_overdue",
              agency="宁夏回族自治区民政厅", details={"deadline": "2026-01-31", "last_year": 2024},
              channels=(), at=MON + 3 * HOUR)
    path = tmp_path / "feeds" / "ningxia.atom"
    settings = AlertSettings(atom_path=path, atom_region="宁夏", base_url=BASE)
    assert deliver_pending(db.engine, settings, now=MON + DAY).atom_entries == 2
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo
    by_title = {e.title: {link.rel: link.href for link in e.links} for e in feed.entries}
    assert len(by_title) == 2 and all("宁夏回族自治区" in t for t in by_title)
    ids = dict(db.session.execute(select(AlertEvent.agency, AlertEvent.report_id)).all())
    new = next(links for t, links in by_title.items() if "财政厅" in t)
    assert new["alternate"] == f"{BASE}/reports/{ids['宁夏回族自治区财政厅']}"
    assert new["via"] == "http://portal.test/r.pdf", "the government URL is only the via link"
    overdue = next(links for t, links in by_title.items() if "民政厅" in t)
    assert overdue["alternate"].startswith(f"{BASE}/agencies/%E5%AE%81")
    contents = {e.title: e.content[0].value for e in feed.entries}
    assert "Agency page" in next(c for t, c in contents.items() if "民政厅" in t)
    assert f"Archived copy: <a href=\"{new['alternate']}\"" in next(c for t, c in contents.items() if "财政厅" in t)

    typed = AlertSettings(atom_path=path, atom_region="固原市", atom_type="report_changed", base_url=BASE)
    deliver_pending(db.engine, typed, now=MON + DAY)
    [entry] = feedparser.parse(path.read_bytes()).entries
    assert entry.title == "报告有改动 Report changed: 固原市原州区科学技术局 2025"
    links = {link.rel: link.href for link in entry.links}
    assert links == {"alternate": f"{BASE}/reports/{ids['固原市原州区科学技术局']}",
                     "via": "http://portal.test/2025.html"}
    by_agency = AlertSettings(atom_path=path, atom_agency="财政", base_url=BASE)
    deliver_pending(db.engine, by_agency, now=MON + DAY)
    assert {e.title.split(": ")[1] for e in feedparser.parse(path.read_bytes()).entries} == {
        "北京市财政局 2025", "宁夏回族自治区财政厅 2025"}


def test_bad_digest_settings_are_refused_with_the_fix(tmp_path: Path) -> None:
    for text, words in [('[alerts.webhook]\nurl = "http://127.0.0.1:9/h"\ndigest = "hourly"\n', "immediate, daily, weekly"),
                        ('[alerts]\nbase_url = "archive.example.org"\n', "http(s) URL"),
                        ('[alerts]\ndigest_timezone = "Mars/Olympus"\n', "Asia/Shanghai"),
                        ('[alerts.atom]\ntype = "new"\n', "new_report")]:
        config = _config(tmp_path, text)
        try:
            load_settings(config, environ={})
        except AlertConfigError as exc:
            assert words in str(exc), (text, exc)
        else:
            raise AssertionError(f"accepted {text!r}")
    env = {"GOVREPORTS_SMTP_DIGEST": "weekly", "GOVREPORTS_SMTP_BACKLOG": "yes",
           "GOVREPORTS_WEBHOOK_DIGEST": "daily", "GOVREPORTS_BASE_URL": "http://127.0.0.1:8000/"}
    settings = load_settings(_config(tmp_path, ""), environ=env)
    assert (settings.email_digest, settings.email_backlog, settings.webhook_digest, settings.webhook_backlog,
            settings.base_url) == ("weekly", True, "daily", False, "http://127.0.0.1:8000")


@pytest.mark.postgres
def test_backlog_and_daily_digest_on_postgresql(pg_url: str) -> None:
    db = ArchiveDB(pg_url)
    try:
        add_event(db, "new_report:pg-old:2025", agency="机关甲", channels=(), at=MON)
        with WebhookReceiver() as receiver:
            settings = AlertSettings(webhook_url=receiver.url, webhook_digest="daily")
            assert deliver_pending(db.engine, settings, now=MON + HOUR).queued == {}
            add_event(db, "new_report:pg-new:2025", agency="机关乙", channels=(), at=MON + 2 * HOUR)
            assert deliver_pending(db.engine, settings, now=MON + 3 * HOUR).queued == {"webhook": 1}
            digest = deliver_pending(db.engine, settings, now=MON + DAY)
            backlog = AlertSettings(webhook_url=receiver.url, webhook_digest="daily", webhook_backlog=True)
            assert deliver_pending(db.engine, backlog, now=MON + DAY).queued == {"webhook": 1}
            assert deliver_pending(db.engine, backlog, now=MON + 2 * DAY).delivered == 1
        assert digest.delivered == 1
        assert [[e["id"] for e in r.payload["events"]] for r in receiver.requests] == [
            ["new_report:pg-new:2025"], ["new_report:pg-old:2025"]]
    finally:
        db.close()


def test_immediate_messages_link_to_the_archive_and_long_digests_come_in_parts(db: ArchiveDB) -> None:
    sink = MailSink()
    smtp = start_smtp(sink)
    try:
        with WebhookReceiver() as receiver:
            settings = AlertSettings(webhook_url=receiver.url, webhook_digest="weekly", digest_max_events=2,
                                     smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from="g@example.org",
                                     smtp_to=["r@example.org"], base_url=BASE)
            deliver_pending(db.engine, settings, now=MON)
            for n in range(3):
                add_event(db, f"report_removed:机关{n}:2025", type_="report_removed", agency=f"机关{n}",
                          details={"reason": "http_410", "urls": [f"http://portal.test/{n}.html"]},
                          channels=("webhook", "email"), at=MON + n * HOUR)
            now = deliver_pending(db.engine, settings, now=MON + 4 * HOUR)
            assert {o.channel for o in now.outcomes} == {"email"} and now.delivered == 3
            week = deliver_pending(db.engine, settings, now=MON + 7 * DAY)
    finally:
        smtp.stop()
    ids = dict(db.session.execute(select(AlertEvent.agency, AlertEvent.report_id)).all())
    messages = _mail(sink)
    assert len(messages) == 3
    for message in messages:
        agency = next(name for name in ids if name in str(message["Subject"]))
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert f"Archived copy: {BASE}/reports/{ids[agency]}" in text
    assert week.delivered == 3 and len(receiver.requests) == 2
    parts = [r.payload for r in receiver.requests]
    assert [(p["part"], p["parts"], p["count"]) for p in parts] == [(1, 2, 2), (2, 2, 1)]
    assert parts[0]["id"] != parts[1]["id"]
    assert [e["archive_url"] for p in parts for e in p["events"]] == [
        f"{BASE}/reports/{ids[f'机关{n}']}" for n in range(3)]


def test_a_digest_killed_in_flight_is_sent_again_with_the_same_id(db: ArchiveDB, tmp_path: Path) -> None:
    with WebhookReceiver(hold_on=1) as receiver:
        env = {"GOVREPORTS_WEBHOOK_URL": receiver.url, "GOVREPORTS_WEBHOOK_DIGEST": "daily"}
        first = cli(tmp_path, "deliver", "--db", db.url, "--now", MON.isoformat(), env=env)
        assert first.returncode == 0, first.stderr
        for n in range(3):
            add_event(db, f"new_report:单位{n}:2025", agency=f"单位{n}", channels=("webhook",), at=MON + n * HOUR)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli.main", "alerts", "deliver", "--db", db.url,
             "--now", (MON + DAY).isoformat()], cwd=tmp_path, env={**environ, **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert receiver.holding.wait(30), "the digest reached the receiver"
        process.kill()
        process.wait(10)
        receiver.release.set()
        assert set(_states(db, "webhook").values()) == {"pending"}
        rerun = cli(tmp_path, "deliver", "--db", db.url, "--now", (MON + DAY + HOUR).isoformat(), env=env)
        assert rerun.returncode == 0, rerun.stderr
    assert "daily digest of 3 alert(s)" in rerun.stdout
    keys = receiver.keys()
    assert len(keys) == 2 and keys[0] == keys[1], "the resent digest carries the same Idempotency-Key"
    assert set(_states(db, "webhook").values()) == {"delivered"}


def test_the_documented_settings_file_loads(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "alerts.md").read_text(encoding="utf-8")
    example = docs.split("```toml\n", 1)[1].split("```", 1)[0]
    settings = load_settings(_config(tmp_path, example), environ={})
    assert settings.channels() == ["webhook", "email"]
    assert (settings.digest("webhook"), settings.digest("email")) == ("immediate", "weekly")
    assert settings.base_url == "https://archive.example.org" and not settings.backlog("email")
