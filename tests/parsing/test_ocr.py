"""Scanned reports: image-only PDFs read by RapidOCR (models from its wheel, CPU only).

The scans are the generator's PDF renderings rasterised here; OCR is slow on a shared CPU,
so the hypothesis round trip scans only the band of section 四, and one page with sections
三 and 四 runs as a slow test.
"""

from __future__ import annotations

import random
import time

import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.parsing import limits, parse_bytes
from crawler.parsing.api import extract
from crawler.parsing.ocr_source import engine
from crawler.parsing.review import parse_review
from crawler.testbed.reportgen import GeneratedReport, random_report, render_pdf
from crawler.testbed.reportgen.scan import rasterise_pdf


def _page_with(pdf: bytes, *texts: str) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        for i in range(len(document)):
            text = document[i].get_textpage().get_text_range()
            if all(t in text for t in texts):
                return i
    finally:
        document.close()
    raise AssertionError(f"no page has all of {texts}")


def test_models_ship_with_the_wheel() -> None:
    """Nothing is downloaded: the engine loads from model files inside the installed package."""
    from pathlib import Path

    import rapidocr_onnxruntime

    models = sorted(p.name for p in (Path(rapidocr_onnxruntime.__file__).parent / "models").glob("*.onnx"))
    assert any("det" in m for m in models) and any("rec" in m for m in models), models
    assert engine() is engine()


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.sampled_from([150, 200]))
def test_ocr_round_trip_of_section_four(seed: int, dpi: int) -> None:
    report = random_report(random.Random(seed))
    pdf = render_pdf(report)
    page = _page_with(pdf, "四、政府信息公开", "五、")
    scan = rasterise_pdf(pdf, dpi, [page], between=("四、政府信息公开", "五、"))
    doc = extract(scan, "pdf")
    assert doc.ocr
    sources: dict[str, dict] = {}
    review, _ = parse_review(doc.lines[1:], doc.mode, sources)
    assert review == report.review_litigation
    for group, columns in report.review_litigation.items():
        for col, value in columns.items():
            if value is not None:
                where = sources[group][col].source
                assert where.page == 1 and where.box is not None and 0 < where.confidence <= 1


@pytest.mark.slow
def test_scanned_page_parses_with_confidences_and_flags() -> None:
    report: GeneratedReport = random_report(random.Random(11), template="2019")
    pdf = render_pdf(report)
    page = _page_with(pdf, "三、收到和处理", "四、政府信息公开")
    outcome = parse_bytes(rasterise_pdf(pdf, 200, [page]), filename="scan.pdf", timeout=600)
    assert outcome.status == "ok", outcome.message
    record = outcome.record
    assert record is not None and record["ocr"] is True
    assert record["applications"] == report.applications
    assert record["review_litigation"] == report.review_litigation
    confidences = [where["confidence"] for row in record["sources"]["applications"].values()
                   for where in row.values()]
    assert len(confidences) == sum(v is not None for row in report.applications.values() for v in row.values())
    flagged = [w for w in record["warnings"] if "read by OCR with confidence" in w]
    assert len(flagged) == sum(1 for c in confidences if c < 0.6)


def test_ocr_budget_is_granted_per_page() -> None:
    """A scanned PDF's job asks for its per-page OCR time and tells the caller."""
    told: list[limits.Extension] = []
    limits.start_job(25.0, told.append)
    try:
        assert limits.extend_for_ocr(5) == 125.0
    finally:
        limits.start_job(limits.ocr_page_seconds(), None)
    assert told == [limits.Extension(125.0, 5)]
    assert limits.extend_for_ocr(5) == 0.0  # outside a worker nobody waits: nothing granted
    assert limits.ocr_page_seconds(0) == 0.0 and limits.ocr_page_seconds(-3) == 0.0


@pytest.mark.slow
def test_scan_parses_past_the_plain_time_limit_within_its_ocr_budget() -> None:
    """The parse worker moves the caller's deadline by the OCR budget of the scan's pages: a
    three-page scan outlasts a 3 s limit and still comes back parsed, not stopped."""
    report = random_report(random.Random(5))
    pdf = render_pdf(report)
    page = _page_with(pdf, "四、政府信息公开", "五、")
    scan = rasterise_pdf(pdf, 150, [page] * 3, between=("四、政府信息公开", "五、"))
    parse_bytes(b"<html><body><p>warm</p></body></html>", filename="warm.html")  # a running worker
    started = time.monotonic()
    outcome = parse_bytes(scan, filename="scan.pdf", timeout=3, ocr_page_seconds=300)
    elapsed = time.monotonic() - started
    assert outcome.status != "timeout", outcome.message
    assert "read as pdf" in outcome.message  # it ran to the end (a band of one table is no report)
    if elapsed <= 3:
        pytest.skip(f"OCR took {elapsed:.1f} s, within the plain limit: the budget was not needed here")
