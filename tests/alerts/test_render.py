"""Descriptions of events: what changed, per type, Chinese before English."""

from __future__ import annotations

from sqlalchemy import select

from crawler.alerts.render import short_change, text_body
from storage.models import AlertEvent
from storage.repository import ArchiveDB
from tests.alerts.helpers import CHANGED_DETAILS, add_event


def events(db: ArchiveDB) -> dict[str, AlertEvent]:
    return {e.key: e for e in db.session.scalars(select(AlertEvent))}


def test_short_change_per_type(db: ArchiveDB) -> None:
    add_event(db, "c", type_="report_changed", details=CHANGED_DETAILS)
    add_event(db, "r", type_="report_removed", year=2024,
              details={"reason": "soft_404", "urls": ["http://portal.test/a.html"]})
    add_event(db, "u", type_="report_unlisted", year=2022,
              details={"reason": "unlisted", "urls": ["http://portal.test/u.html"]})
    add_event(db, "o", type_="report_overdue", year=2025,
              details={"deadline": "2026-01-31", "last_year": 2024})
    add_event(db, "n", year=2023, details={"url": "http://portal.test/n.pdf"})
    found = events(db)
    assert short_change(found["c"]) == "1 number and text in 一、总体情况 changed (now version 2)"
    assert short_change(found["r"]) == ("the page says it does not exist (soft 404): "
                                        "http://portal.test/a.html")
    assert short_change(found["u"]) == "no longer linked from its list, still served: http://portal.test/u.html"
    unlisted = text_body(found["u"])
    assert unlisted.index("已移出栏目列表") < unlisted.index("left its list (its URL still answers)")
    assert short_change(found["o"]) == "nothing for 2025 after the deadline 2026-01-31 (published for 2024)"
    assert short_change(found["n"]) == "http://portal.test/n.pdf"
    overdue = text_body(found["o"])
    assert overdue.index("逾期未发布 2025 年度报告") < overdue.index("has no 2025 report after the deadline")
    assert "2026-01-31" in overdue


def test_malformed_details_do_not_crash(db: ArchiveDB) -> None:
    add_event(db, "odd", type_="report_changed",
              details={"numbers": "three", "text": [None, {"diff": 5}], "version": None})
    event = events(db)["odd"]
    assert short_change(event) == "text in ? changed"
    assert "Text changed: ?" in text_body(event)
