"""Checks against last year's report: the rule, and failures shown like in-year checks in the
web app's report (page and API share its query) and in exports."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.exports.query import ExportFilters, select_reports
from crawler.reports.cross_year import cross_year_checks
from crawler.testbed.synthetic_archive import build_synthetic_archive
from crawler.web.queries import Queries
from storage.models import Report

APPS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total")


def _record(year: int, carried_over: int, carried_forward: int, in_force: int, issued: int,
            repealed: int) -> dict:
    return {
        "year": year,
        "applications": {"carried_over": dict.fromkeys(APPS, carried_over),
                         "carried_forward": dict.fromkeys(APPS, carried_forward)},
        "active_disclosure": {"regulations": {"issued": issued, "repealed": repealed, "in_force": in_force}},
    }


def test_rules() -> None:
    last = _record(2021, 0, 3, 10, 0, 0)
    good = cross_year_checks(_record(2022, 3, 0, 12, 4, 2), last)
    assert [c["rule"] for c in good] == ["carried_over_prev"] * 7 + ["in_force_prev"]
    assert all(c["ok"] for c in good)
    bad = cross_year_checks(_record(2022, 2, 0, 11, 4, 2), last)
    assert not any(c["ok"] for c in bad)
    assert bad[-1] == {"rule": "in_force_prev", "where": "regulations", "ok": False, "expected": 12,
                       "actual": 11, "previous_year": 2021}
    blank_last = _record(2021, 0, 3, 10, 0, 0)
    blank_last["active_disclosure"]["regulations"]["in_force"] = None
    assert [c["rule"] for c in cross_year_checks(_record(2022, 3, 0, 12, 4, 2), blank_last)] == \
        ["carried_over_prev"] * 7


def test_shown_in_web_report_and_exports(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'a.db'}"
    build_synthetic_archive(db_url, tmp_path / "archive", reports=24, seed=3, agencies=4)
    engine = create_engine(db_url)
    queries = Queries("sqlite")
    with Session(engine) as session:
        reports = {(r.agency, r.year): r.id for r in session.scalars(select(Report))}
        pairs = [(a, y) for a, y in reports if (a, y - 1) in reports]
        assert pairs, "the synthetic archive has no agency with two consecutive years"
        seen = 0
        exported = {(r.agency, r.year): r for r in select_reports(session, ExportFilters())}
        for agency, year in pairs:
            this = queries.current_record(session, reports[(agency, year)])
            last = queries.current_record(session, reports[(agency, year - 1)])
            if this is None or last is None:
                continue
            expected = cross_year_checks(this, last)
            row, record = queries.report_with_record(session, reports[(agency, year)])
            shown = [c for c in row["checks_list"] if c["rule"].endswith("_prev")]
            assert [(c["rule"], c["where"], c["ok"]) for c in shown] == \
                [(c["rule"], c["where"], c["ok"]) for c in expected]
            assert record is not None and [c for c in record["checks"] if c["rule"].endswith("_prev")] == expected
            parse = exported[(agency, year)].parse
            assert parse is not None
            assert [c for c in parse["checks"] if c["rule"].endswith("_prev")] == expected
            seen += len(expected)
        assert seen > 0
