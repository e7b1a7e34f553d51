"""Each number on the report page links to its place in the original (its recorded source)."""

from __future__ import annotations

import random
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.parsing import parse_bytes
from crawler.testbed.reportgen import random_report, render_docx, render_html, render_pdf
from crawler.testbed.synthetic_archive import build_synthetic_archive
from crawler.web.app import create_app
from crawler.web.layout import link_cells, record_tables
from crawler.web.original_cells import docx_excerpt, html_excerpt, parse_address
from storage.blobs import LocalBlobStore
from storage.models import Document, ParseResult, ReportDocument


def _cells(record: dict, original: str) -> list:
    tables = link_cells(record_tables(record), original)
    return [c for t in tables for row in t.rows for c in row if c.key and c.text]


def test_pdf_numbers_link_to_their_page() -> None:
    report = random_report(random.Random(5), template="2021")
    record = parse_bytes(render_pdf(report), filename="r.pdf", isolate=False).record
    assert record is not None
    cells = _cells(record, "/documents/abc")
    assert cells and all(c.href and c.href.startswith("/documents/abc#page=") for c in cells)
    table, row, column = next(c.key for c in cells if c.key[0] == "applications")
    page = record["sources"][table][row][column]["page"]
    cell = next(c for c in cells if c.key == (table, row, column))
    assert cell.href == f"/documents/abc#page={page}" and "box" in (cell.where or "")


def test_html_numbers_link_to_their_cell_in_the_original() -> None:
    report = random_report(random.Random(6), template="2019")
    html = render_html(report)
    record = parse_bytes(html.encode(), filename="r.html", isolate=False).record
    assert record is not None
    cells = _cells(record, "/documents/def")
    assert cells and all(c.href.startswith("/documents/def/cell?at=") and "row" in (c.where or "")
                         for c in cells)
    for cell in cells:  # each link's excerpt marks the cell that prints the value
        table, row, index = parse_address(cell.href.split("at=")[1])
        excerpt = html_excerpt(html, table, row, index)
        [target] = [c for r in excerpt.rows for c in r if c.target]
        assert target.text.replace(",", "") == cell.text.replace(",", ""), cell.key


def test_docx_numbers_link_to_their_cell_in_the_original() -> None:
    report = random_report(random.Random(7), template="2021")
    data = render_docx(report)
    record = parse_bytes(data, filename="r.docx", isolate=False).record
    assert record is not None
    cells = _cells(record, "/documents/abc")
    assert cells and all(c.href.startswith("/documents/abc/cell?grid=") for c in cells)
    for cell in cells:
        table, row, column = parse_address(cell.href.split("grid=")[1])
        excerpt = docx_excerpt(data, table, row, column)
        [target] = [c for r in excerpt.rows for c in r if c.target]
        assert target.text.replace(",", "") == cell.text.replace(",", ""), cell.key


def test_an_address_outside_the_original_is_a_clear_error() -> None:
    html = render_html(random_report(random.Random(8), template="2019"))
    with pytest.raises(LookupError, match="table"):
        html_excerpt(html, 99, 0, 0)
    with pytest.raises(ValueError, match="three numbers"):
        parse_address("1,2")


def test_the_report_page_links_open_the_marked_cell(tmp_path: Path) -> None:
    """End to end on an archive: a report whose current parse came from its HTML page links
    each number to ``/documents/{sha}/cell?at=…``, which shows that table with the number's
    cell marked; a bad or outside address is a 400 or a 404 that says why."""
    db_url = f"sqlite:///{tmp_path / 'a.db'}"
    build_synthetic_archive(db_url, tmp_path / "archive", reports=4, seed=2, agencies=2)
    engine = create_engine(db_url)
    with Session(engine) as session:  # parse one HTML original for real: records gain sources
        result = session.scalars(select(ParseResult).join(Document, Document.sha256 == ParseResult.sha256)
                                 .where(Document.content_type == "text/html")).first()
        assert result is not None
        data = LocalBlobStore(tmp_path / "archive" / "blobs").get(result.sha256)
        record = parse_bytes(data, filename="r.html", isolate=False).record
        assert record is not None
        result.record = record
        session.commit()
        rid = session.scalar(select(ReportDocument.report_id).where(ReportDocument.sha256 == result.sha256))
    engine.dispose()
    with TestClient(create_app(db_url, tmp_path / "archive")) as client:
        page = lxml.html.fromstring(client.get(f"/reports/{rid}").text)
        links = [a for a in page.cssselect("a[href*='/cell?at=']") if a.text_content().strip()]
        assert len(links) > 20
        for link in links[:8]:
            answer = client.get(link.get("href"))
            assert answer.status_code == 200, answer.text[:300]
            [target] = lxml.html.fromstring(answer.text).cssselect("td.target")
            assert target.text_content().replace(",", "") == link.text_content().strip().replace(",", "")
        href = links[0].get("href")
        assert client.get(href.replace("at=", "at=99,")).status_code == 400
        outside = client.get(href.split("at=")[0] + "at=99,0,0")
        assert outside.status_code == 404 and "table" in outside.text
