"""One current parse (storage.read): `govreports reparse` makes its result current everywhere.

A report whose parse failed at crawl time, and a report parsed by an older parser, are both
re-parsed; the web app, the exports and the nested export then show the new result.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from crawler.cli.main import main
from crawler.parsing import PARSER_VERSION
from crawler.testbed.reportgen import GeneratedReport, random_report, render_html_page
from crawler.web.app import create_app
from storage.models import Report, ReportVersion
from storage.repository import ArchiveDB

OLD_PARSER = "0.0-old"


def _add(db: ArchiveDB, tmp_path: Path, report: GeneratedReport, *, status: str,
         record: dict[str, Any] | None, versioned: bool) -> int:
    body = render_html_page(report).encode("utf-8")
    sha256 = hashlib.sha256(body).hexdigest()
    path = tmp_path / f"{sha256}.html"
    path.write_bytes(body)
    url = f"http://127.0.0.1:1/{report.year}/{sha256[:8]}.html"
    db.add_document(sha256=sha256, size=len(body), content_type="text/html", blob_path=str(path))
    report_id, _ = db.link_report(agency=report.agency, year=report.year, title=report.title,
                                  published_on=report.published_on, sha256=sha256, url=url,
                                  capture_id=None, role="page")
    db.add_parse_result(sha256=sha256, parser_version=OLD_PARSER, status=status,
                        message=None if record else "timed out", record=record)
    if versioned:  # as change detection records a parsed document: version 1 by the old parser
        now = datetime.datetime.now(datetime.UTC)
        version = ReportVersion(report_id=report_id, number=1, fingerprint="0" * 64, sha256=sha256,
                                url=url, parser_version=OLD_PARSER, run_id=None, first_seen_at=now,
                                last_seen_at=now, changes=None)
        db.session.add(version)
        db.session.flush()
        db.session.get(Report, report_id).current_version_id = version.id  # type: ignore[union-attr]
        db.session.commit()
    return report_id


@pytest.fixture
def archive(tmp_path: Path) -> tuple[str, dict[int, GeneratedReport]]:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    db = ArchiveDB(url, migrate=True)
    rng = random.Random(5)
    failed, old = random_report(rng, year=2021), random_report(rng, year=2022)
    stale = {"template": "stale", "parser_version": OLD_PARSER, "checks": []}
    ids = {
        _add(db, tmp_path, failed, status="timeout", record=None, versioned=False): failed,
        _add(db, tmp_path, old, status="ok", record=stale, versioned=True): old,
    }
    db.close()
    return url, ids


def _web(url: str, report_id: int) -> dict[str, Any]:
    with TestClient(create_app(url)) as client:
        response = client.get(f"/api/v1/reports/{report_id}")
        assert response.status_code == 200, response.text
        return response.json()


def _exported(url: str, tmp_path: Path) -> dict[int, dict[str, Any]]:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["export", "--format", "jsonl", "--out", str(out), "--db", url])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {row["report_id"]: row for row in rows}


def test_reparse_makes_the_new_result_current_everywhere(
        archive: tuple[str, dict[int, GeneratedReport]], tmp_path: Path) -> None:
    url, reports = archive
    failed_id, old_id = sorted(reports)
    before = _exported(url, tmp_path)
    assert before[failed_id]["template"] is None and _web(url, failed_id)["template"] is None
    assert before[old_id]["template"] == "stale" == _web(url, old_id)["template"]

    result = CliRunner().invoke(main, ["reparse", "--db", url])
    assert result.exit_code == 0 and "ok 2" in result.output, result.output

    after = _exported(url, tmp_path)
    for report_id, report in reports.items():
        web = _web(url, report_id)
        assert web["template"] == report.template == after[report_id]["template"]
        assert web["record"]["parser_version"] == PARSER_VERSION == after[report_id]["parser_version"]
        assert web["record"]["applications"] == report.applications
    db = ArchiveDB(url)
    try:
        nested = {row["report_id"]: row for row in db.iter_export()}
    finally:
        db.close()
    assert all(nested[i]["parse"]["parser_version"] == PARSER_VERSION for i in reports)
