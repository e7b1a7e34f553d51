"""A pre-2019 report's 政府信息公开情况统计表 is exported (table ``statistics``) and shown on the
web report page and in its API, row by row as the parser read it from the original."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pyarrow.parquet as pq
from fastapi.testclient import TestClient
from lxml import html as lxml_html
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.exports import ExportFilters, export_to
from crawler.exports.writers import table_paths
from crawler.parsing import parse_bytes
from crawler.testbed.reportgen.pre2019 import random_pre2019, render_pre2019_html
from crawler.testbed.synthetic_archive import build_synthetic_archive
from crawler.web.app import create_app
from storage.models import ParseResult, Report
from storage.read import current_parse_id


def _archive_with_pre2019(tmp_path: Path) -> tuple[str, int, list[dict]]:
    """A synthetic archive whose first report's current parse is a parsed pre-2019 report."""
    db_url = f"sqlite:///{tmp_path / 'a.db'}"
    build_synthetic_archive(db_url, tmp_path / "archive", reports=6, seed=2)
    generated = random_pre2019(random.Random(11))
    outcome = parse_bytes(render_pre2019_html(generated).encode("utf-8"), filename="r.html")
    assert outcome.record is not None and outcome.record["template"] == "pre2019"
    record = outcome.record
    expected = generated.expected_statistics()
    assert [{k: s[k] for k in ("label", "unit", "value")} for s in record["statistics"]] == expected
    engine = create_engine(db_url)
    with Session(engine) as session:
        report_id, parse_id = session.execute(
            select(Report.id, current_parse_id()).order_by(Report.id).limit(1)).one()
        parse = session.get(ParseResult, parse_id)
        assert parse is not None
        parse.record = record
        session.commit()
    engine.dispose()
    return db_url, report_id, expected


def test_statistics_exported_and_shown(tmp_path: Path) -> None:
    db_url, report_id, expected = _archive_with_pre2019(tmp_path)
    engine = create_engine(db_url)
    with Session(engine) as session:
        export_to(session, "csv", tmp_path / "r.csv", ExportFilters())
        export_to(session, "parquet", tmp_path / "r.parquet", ExportFilters())
    engine.dispose()
    with table_paths(tmp_path / "r.csv")["statistics"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {int(r["report_id"]) for r in rows} == {report_id}
    assert [(int(r["position"]), r["label"], r["unit"], r["value"]) for r in rows] == [
        (i, s["label"], s["unit"], "" if s["value"] is None else str(s["value"]))
        for i, s in enumerate(expected, start=1)]
    parquet = pq.read_table(table_paths(tmp_path / "r.parquet")["statistics"]).to_pylist()
    assert [(r["label"], r["value"]) for r in parquet] == [(s["label"], s["value"]) for s in expected]

    with TestClient(create_app(db_url, tmp_path / "archive")) as client:
        api = client.get(f"/api/v1/reports/{report_id}").json()
        assert [{k: s[k] for k in ("label", "unit", "value")} for s in api["record"]["statistics"]] == expected
        page = lxml_html.document_fromstring(client.get(f"/reports/{report_id}").text)
    section = page.get_element_by_id("statistics")
    shown = [[" ".join(c.text_content().split()) for c in tr if c.tag in ("th", "td")]
             for tr in section.iter("tr")][1:]
    assert shown == [[s["label"], s["unit"], "" if s["value"] is None else str(s["value"])]
                     for s in expected]
    links = section.xpath(".//a[@class='src']")
    assert len(links) == sum(1 for s in expected if s["value"] is not None)
    assert all(a.get("title", "").startswith("表") for a in links)  # HTML: table and row named
    assert page.xpath("//section[@id='applications']") == []  # the empty 2019/2021 tables are not shown
