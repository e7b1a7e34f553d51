"""Atom 1.0 feed of the newest alert events, written atomically (temp file, then rename).

Entry ids are tag: URIs made from the event key, so they never change between regenerations;
the feed's ``updated`` is the newest event's time, so an unchanged table gives the same bytes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from lxml import etree
from sqlalchemy.orm import Session

from crawler.alerts.config import AlertSettings
from crawler.alerts.render import LANGS, describe, html_fragment, iso, title
from crawler.reports.regions import in_region
from crawler.version import software_version
from storage.models import AlertEvent
from storage.read.alerts import announced_events, event_agencies

ATOM_NS = "http://www.w3.org/2005/Atom"
TAG_AUTHORITY = "govreports.invalid,2026"
FEED_ID = f"tag:{TAG_AUTHORITY}:alerts"
FEED_TITLE = "govreports 政府信息公开工作年度报告 alerts"
#: Characters allowed as-is in a tag: URI's specific part (RFC 4151: pchar / "/" / "?").
_TAG_SAFE = "/?:@!$&'()*+,;=-._~"


def entry_id(key: str) -> str:
    """The stable tag: URI of the event with idempotency key ``key``."""
    return f"tag:{TAG_AUTHORITY}:event/{quote(key, safe=_TAG_SAFE)}"


def newest_events(session: Session, limit: int, *, agency: str | None = None,
                  agencies: Collection[str] | None = None, type_: str | None = None) -> list[AlertEvent]:
    """The ``limit`` newest announced events (baseline ones never are), newest first.

    ``agency``: name contains this text; ``agencies``: one of these names; ``type_``: one type.
    """
    return announced_events(session, limit=limit, agency=agency, agencies=agencies, type_=type_)


def feed_events(session: Session, settings: AlertSettings) -> list[AlertEvent]:
    """The Atom file's events: the newest ``atom_max_entries``, filtered as the settings say."""
    agencies = None
    if settings.atom_region:
        agencies = [name for name in event_agencies(session) if in_region(name, settings.atom_region)]
    return newest_events(session, settings.atom_max_entries, agency=settings.atom_agency,
                         agencies=agencies, type_=settings.atom_type)


def render_feed(events: Sequence[AlertEvent], *, self_url: str | None = None,
                now: datetime | None = None,
                report_link: Callable[[AlertEvent], str | None] | None = None) -> bytes:
    """The Atom document (UTF-8 bytes) for ``events`` (given newest first).

    ``report_link``: the archived report page of an event (the web app's); it becomes the
    entry's ``alternate`` link, and the government URL its ``via`` link.
    """
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _sub(feed, "id", FEED_ID)
    _sub(feed, "title", FEED_TITLE)
    newest = max((e.created_at for e in events), default=now or datetime.now(UTC))
    _sub(feed, "updated", iso(newest))
    author = _sub(feed, "author")
    _sub(author, "name", "govreports")
    _sub(feed, "generator", "govreports", version=software_version().split("/", 1)[-1])
    if self_url:
        _sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    for event in events:
        feed.append(_entry(event, report_link(event) if report_link else None))
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_feed(path: Path, events: Sequence[AlertEvent], *, self_url: str | None = None,
               report_link: Callable[[AlertEvent], str | None] | None = None) -> bool:
    """Write the feed to ``path`` atomically; False when the file already had these bytes.

    ``report_link`` as in :func:`render_feed` (the archived page under the configured base URL).
    """
    data = render_feed(events, self_url=self_url, report_link=report_link)
    path = Path(path)
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True


def _entry(event: AlertEvent, archived: str | None = None) -> etree._Element:
    entry = etree.Element(f"{{{ATOM_NS}}}entry")
    _sub(entry, "id", entry_id(event.key))
    _sub(entry, "title", title(event))
    _sub(entry, "published", iso(event.created_at))
    _sub(entry, "updated", iso(event.created_at))
    _sub(entry, "category", term=event.type)
    described = [describe(event, lang) for lang in LANGS]
    http_links = [url for url in described[0].links if url.lower().startswith(("http://", "https://"))]
    if archived:
        _sub(entry, "link", rel="alternate", href=archived, type="text/html")
    if http_links:
        _sub(entry, "link", rel="via" if archived else "alternate", href=http_links[0])
    _sub(entry, "summary", " — ".join(d.headline for d in described))
    _sub(entry, "content", html_fragment(event, archived), type="html")
    return entry


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}",
                             {name: _xml_safe(value) for name, value in attrs.items()})
    if text is not None:
        child.text = _xml_safe(text)
    return child


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (crawled pages contain stray control codes)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or (" " <= ch <= "\ud7ff")
                   or ("\ue000" <= ch <= "\ufffd") or ch >= "\U00010000")
