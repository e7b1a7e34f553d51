"""Daily and weekly digests: when a period is over, and one message listing its events.

A ``daily`` channel's digest is due on the first delivery pass of a new calendar day (in
``digest_timezone``) after its previous digest (or after the channel was added); ``weekly``:
of a new ISO week (Monday). The digest lists every event still undelivered on the channel.
Its id is made from its events' keys, so a digest sent again after a crash carries the same id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from crawler.alerts.render import (
    LANGS,
    Lang,
    archived_label,
    describe,
    html_fragment,
    iso,
    one_line,
    title,
)
from crawler.alerts.webhook import event_payload
from storage.models import AlertEvent

PERIOD_LABELS: dict[str, dict[Lang, str]] = {
    "daily": {"zh": "每日摘要", "en": "Daily digest"},
    "weekly": {"zh": "每周摘要", "en": "Weekly digest"},
}


def period_start(period: str, moment: datetime, timezone: str) -> date:
    """The first day of the ``daily`` or ``weekly`` period holding ``moment`` (local calendar)."""
    day = moment.astimezone(ZoneInfo(timezone)).date()
    if period == "weekly":
        return day - timedelta(days=day.weekday())
    if period == "daily":
        return day
    raise ValueError(f"not a digest period: {period!r}")


def period_over(period: str, since: datetime, now: datetime, timezone: str) -> bool:
    """Whether ``now`` lies in a later day (daily) or ISO week (weekly) than ``since``."""
    return period_start(period, now, timezone) > period_start(period, since, timezone)


def next_period(period: str, since: datetime, timezone: str) -> datetime:
    """When the period after the one holding ``since`` begins (local midnight, as UTC)."""
    zone = ZoneInfo(timezone)
    start = period_start(period, since, timezone) + timedelta(days=7 if period == "weekly" else 1)
    return datetime.combine(start, time(), tzinfo=zone).astimezone(UTC)


@dataclass
class Digest:
    """One digest message: a channel's undelivered events at the end of a period."""

    channel: str
    period: str
    #: The previous digest (or when the channel was added); ``until`` is this pass's time.
    since: datetime
    until: datetime
    events: Sequence[AlertEvent]
    part: int = 1
    parts: int = 1
    #: The archived report page of an event, when a base URL is configured.
    link: Callable[[AlertEvent], str | None] = lambda event: None

    @property
    def key(self) -> str:
        """The digest's stable id: its channel, period and the hash of its events' keys."""
        digest = hashlib.sha256("\n".join(e.key for e in self.events).encode("utf-8")).hexdigest()[:32]
        return f"digest:{self.channel}:{self.period}:{digest}"

    def label(self, lang: Lang) -> str:
        """``每日摘要`` / ``Daily digest``."""
        return PERIOD_LABELS[self.period][lang]

    def title(self) -> str:
        """The one-line subject: ``每日摘要 Daily digest: 3 条提醒 alerts (2026-02-01 – 2026-02-02)``."""
        part = f" [{self.part}/{self.parts}]" if self.parts > 1 else ""
        return (f"{self.label('zh')} {self.label('en')}: {len(self.events)} 条提醒 "
                f"alert{'s' if len(self.events) != 1 else ''} ({self.since:%Y-%m-%d} – {self.until:%Y-%m-%d})"
                f"{part}")

    def payload(self) -> dict[str, Any]:
        """The webhook JSON: the digest's fields and each event as an immediate POST carries it."""
        events = []
        for event in self.events:
            entry = event_payload(event)
            entry["archive_url"] = self.link(event)
            events.append(entry)
        return {"id": self.key, "type": "digest", "period": self.period, "since": iso(self.since),
                "until": iso(self.until), "part": self.part, "parts": self.parts,
                "count": len(self.events), "events": events}

    def text(self) -> str:
        """The plain-text message: the list in Chinese, then in English."""
        blocks = []
        for lang in LANGS:
            head = (f"{self.label(lang)}：{iso(self.since)} 至 {iso(self.until)}，共 {len(self.events)} 条提醒"
                    if lang == "zh" else
                    f"{self.label(lang)}: {len(self.events)} alert(s) from {iso(self.since)} to {iso(self.until)}")
            lines = [head, ""]
            for number, event in enumerate(self.events, 1):
                lines += _text_item(number, event, lang, self.link(event))
            blocks.append("\n".join(lines))
        return ("\n\n" + "-" * 40 + "\n\n").join(blocks) + "\n"

    def html(self) -> str:
        """The HTML message: one section per event (Chinese, then English, each escaped)."""
        out = ['<!DOCTYPE html>\n<html><head><meta charset="utf-8">',
               f"<title>{escape(self.title())}</title></head>\n<body>",
               f"<h1>{escape(self.title())}</h1>", "<ol>"]
        for event in self.events:
            out.append(f"<li><h2>{escape(title(event))}</h2>\n{html_fragment(event, self.link(event))}</li>")
        out += ["</ol>", "</body></html>\n"]
        return "\n".join(out)


def split(channel: str, period: str, since: datetime, until: datetime, events: Sequence[AlertEvent],
          max_events: int, link: Callable[[AlertEvent], str | None]) -> list[Digest]:
    """The digest messages for ``events``: one, or parts of at most ``max_events`` each."""
    chunks = [events[i:i + max_events] for i in range(0, len(events), max_events)]
    return [Digest(channel, period, since, until, chunk, part=n, parts=len(chunks), link=link)
            for n, chunk in enumerate(chunks, 1)]


def _text_item(number: int, event: AlertEvent, lang: Lang, link: str | None) -> list[str]:
    desc = describe(event, lang)
    lines = [f"{number}. {one_line(desc.headline)}"]
    lines += [f"   - {line}" for line in desc.lines]
    if link:
        lines.append(f"   {archived_label(event, lang)}: {link}")
    lines += [f"   {'原网址' if lang == 'zh' else 'Source'}: {url}" for url in desc.links[:3]]
    return [*lines, ""]
