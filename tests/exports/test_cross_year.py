"""Checks against last year's report: the rule, and failures shown like in-year checks in the
web app's report (page and API share its query) and in exports."""

from __future__ import annotations

import copy
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.cli.main import main
from crawler.exports.query import ExportFilters, select_reports
from crawler.reports.cross_year import cross_year_checks
from crawler.testbed.synthetic_archive import build_synthetic_archive
from crawler.web.filters import ReportFilters
from crawler.web.queries import Queries
from storage.models import ParseResult, Report
from storage.read import current_parse_id

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


def test_cross_year_failures_counted_where_researchers_filter(tmp_path: Path) -> None:
    """A report whose own checks hold but whose 上年结转 disagrees with last year's report is
    found by the web list's failed filter, ``export --checks failed`` and ``reports --checks failed``."""
    db_url = f"sqlite:///{tmp_path / 'a.db'}"
    build_synthetic_archive(db_url, tmp_path / "archive", reports=24, seed=3, agencies=4)
    engine = create_engine(db_url)
    with Session(engine) as session:
        queries = Queries("sqlite")
        reports = {(r.agency, r.year): r.id for r in session.scalars(select(Report))}
        target = None
        for (agency, year), rid in sorted(reports.items()):
            last_id = reports.get((agency, year - 1))
            this = queries.current_record(session, rid)
            last = queries.current_record(session, last_id) if last_id else None
            if this is None or last is None or not all(c["ok"] for c in this["checks"]):
                continue
            if any(c["rule"] == "carried_over_prev" for c in cross_year_checks(this, last)):
                target = rid, last_id
                break
        assert target is not None, "no report with a parsed report the year before"
        rid, last_id = target
        parse = session.get(ParseResult, session.scalar(
            select(current_parse_id()).select_from(Report).where(Report.id == last_id)))
        assert parse is not None and parse.record is not None
        this = queries.current_record(session, rid)
        assert this is not None
        record = copy.deepcopy(parse.record)  # last year: agrees with this year but in one cell
        carried = dict(this["applications"]["carried_over"])
        carried["natural_person"] = (carried["natural_person"] or 0) + 1
        record["applications"]["carried_forward"] = carried
        for row in ("regulations", "normative_documents"):
            if row in record["active_disclosure"]:
                record["active_disclosure"][row]["in_force"] = None
        parse.record = record
        session.commit()

    with Session(engine) as session:
        queries = Queries("sqlite")
        _, rows = queries.list_reports(session, ReportFilters(failed=True), limit=500, offset=0)
        by_id = {row["id"]: row for row in rows}
        assert rid in by_id
        assert by_id[rid]["failed_checks"] == 1
        assert rid in {row["id"] for row in queries.iter_reports(session, ReportFilters(failed=True))}
        agency = session.get(Report, rid).agency  # type: ignore[union-attr]
        on_agency_page = {y["report"]["id"]: y["report"] for y in queries.agency(session, agency)["years"]
                          if y["report"] is not None}
        assert on_agency_page[rid]["failed_checks"] == 1
        exported = {r.report_id: r for r in select_reports(session, ExportFilters(checks="failed"))}
        assert rid in exported and exported[rid].checks_failed == 1
        assert rid not in {r.report_id for r in select_reports(session, ExportFilters(checks="ok"))}

    result = CliRunner().invoke(main, ["reports", "--db", db_url, "--checks", "failed"])
    assert result.exit_code == 0, result.output
    listed = {int(line.split("\t")[0]): line for line in result.stdout.splitlines()}
    assert listed[rid].split("\t")[-1].startswith("1/")
    ok = CliRunner().invoke(main, ["reports", "--db", db_url, "--checks", "ok"])
    assert rid not in {int(line.split("\t")[0]) for line in ok.stdout.splitlines()}
