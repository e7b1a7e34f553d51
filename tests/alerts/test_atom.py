"""Atom feed: valid for feedparser, stable tag: ids, newest first, atomic, escaped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
from lxml import etree

from crawler.alerts.atom import entry_id, newest_events, write_feed
from storage.repository import ArchiveDB
from tests.alerts.helpers import CHANGED_DETAILS, T0, add_event

KEYS = ["new_report:a:2025", "report_changed:北京市财政局:2025:v2", "removed 404 ?#&<>"]


def fill(db: ArchiveDB) -> None:
    add_event(db, KEYS[0], at=T0)
    add_event(db, KEYS[1], type_="report_changed", details=CHANGED_DETAILS, at=T0 + dt.timedelta(hours=1))
    add_event(db, KEYS[2], type_="report_removed", agency="<b>某\x01局</b>", at=T0 + dt.timedelta(hours=2),
              details={"reason": "http_404", "urls": ["http://portal.test/x.pdf?a=1&b=2"]})


def test_feedparser_accepts_the_feed(db: ArchiveDB, tmp_path: Path) -> None:
    fill(db)
    path = tmp_path / "feed" / "alerts.atom"
    assert write_feed(path, newest_events(db.session, 10), self_url="https://example.org/alerts.atom")
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.id for e in feed.entries] == [entry_id(k) for k in reversed(KEYS)]
    assert all(e.id.startswith("tag:govreports.invalid,2026:event/") for e in feed.entries)
    assert len({e.id for e in feed.entries}) == 3
    newest, changed, oldest = feed.entries
    assert newest.published == "2026-02-01T10:00:00Z" and newest.updated == newest.published
    assert feed.feed.updated == "2026-02-01T10:00:00Z"
    assert changed.title == "报告有改动 Report changed: 北京市财政局 2025"
    assert "本年制发件数" in changed.content[0].value and "3 → 5" in changed.content[0].value
    assert changed.link == "http://portal.test/2025.html"
    assert newest.link == "http://portal.test/x.pdf?a=1&b=2"
    assert newest.tags[0].term == "report_removed"
    assert "Report removed" in newest.title and "<b>" in newest.title  # title is text, kept literal
    raw = path.read_text(encoding="utf-8")
    assert "\x01" not in raw
    assert "&amp;lt;b&amp;gt;" in raw, "crawled markup is escaped inside the HTML content"


def test_newest_n_and_stable_bytes(db: ArchiveDB, tmp_path: Path) -> None:
    fill(db)
    path = tmp_path / "feed" / "alerts.atom"
    assert write_feed(path, newest_events(db.session, 2))
    first = path.read_bytes()
    ids = [e.id for e in feedparser.parse(first).entries]
    assert ids == [entry_id(KEYS[2]), entry_id(KEYS[1])]
    assert not write_feed(path, newest_events(db.session, 2)), "same events, same bytes: not rewritten"
    assert path.read_bytes() == first
    assert [p.name for p in path.parent.iterdir()] == ["alerts.atom"], "no temporary file left"
    add_event(db, "new_report:later", at=T0 + dt.timedelta(days=1))
    assert write_feed(path, newest_events(db.session, 2))
    assert [e.id for e in feedparser.parse(path.read_bytes()).entries] == [
        entry_id("new_report:later"), entry_id(KEYS[2])]


def test_empty_feed_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "alerts.atom"
    write_feed(path, [])
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo and feed.entries == []
    root = etree.fromstring(path.read_bytes())
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.find("{http://www.w3.org/2005/Atom}updated") is not None
