"""Hypothesis round trip: parse(render_X(report)) recovers every value of the report."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.parsing import parse_bytes
from crawler.testbed import reportgen
from crawler.testbed.reportgen import GeneratedReport, failed_checks, random_report
from tests.parsing.builders import report_pdf
from tests.parsing.roundtrip import differences, failed_check_names

reports = st.builds(
    lambda seed, template, consistent, blanks: random_report(
        random.Random(seed), template=template, consistent=consistent, blank_probability=blanks
    ),
    st.integers(0, 2**32 - 1),
    st.sampled_from([None, "2019", "2021"]),
    st.booleans(),
    st.sampled_from([0.0, 0.1, 0.4]),
)


def _renderer(name: str) -> Callable[[GeneratedReport], bytes]:
    render = getattr(reportgen, name, None)
    if render is None:
        pytest.skip(f"crawler.testbed.reportgen.{name} is not available yet")

    def to_bytes(report: GeneratedReport) -> bytes:
        try:
            out = render(report)
        except reportgen.ConverterMissing as exc:  # render_doc without LibreOffice
            pytest.skip(str(exc))
        return out.encode("utf-8") if isinstance(out, str) else out

    return to_bytes


FORMATS = {
    "html": ("render_html", "report.html", 40),
    "text": ("render_text", "report.txt", 40),
    "pdf": ("render_pdf", "report.pdf", 15),
    "docx": ("render_docx", "report.docx", 15),
    "doc": ("render_doc", "report.doc", 2),
}


def _round_trip(report: GeneratedReport, data: bytes, filename: str) -> None:
    outcome = parse_bytes(data, filename=filename, timeout=120)
    assert outcome.status == "ok", outcome.message
    assert outcome.record is not None
    diffs = differences(outcome.record, report.expected_record())
    assert diffs == [], (report.layout_seed, diffs[:8], outcome.record["warnings"][:5])
    assert failed_check_names(outcome.record) == sorted(failed_checks(report))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_round_trip(fmt: str) -> None:
    name, filename, examples = FORMATS[fmt]
    render = _renderer(name)

    @settings(max_examples=examples, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(reports)
    def check(report: GeneratedReport) -> None:
        _round_trip(report, render(report), filename)

    check()


LOCAL = {"pdf": (report_pdf, "report.pdf")}


@pytest.mark.parametrize("fmt", sorted(LOCAL))
def test_round_trip_local_renderings(fmt: str) -> None:
    """An unruled PDF (table fields placed in columns, no grid lines) drawn here."""
    render, filename = LOCAL[fmt]

    @settings(max_examples=15, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(reports)
    def check(report: GeneratedReport) -> None:
        _round_trip(report, render(report), filename)

    check()


@settings(max_examples=15, deadline=None, derandomize=True)
@given(reports, st.sampled_from(["gbk", "gb18030", "utf-8"]))
def test_round_trip_full_page_in_chinese_encodings(report: GeneratedReport, charset: str) -> None:
    page = reportgen.render_html_page(report, charset=charset).encode(charset)
    _round_trip(report, page, "report.html")


def test_a_blank_row_above_a_wrapped_label_keeps_rows_apart() -> None:
    """Regression (found by the round trip under CI): in a PDF, the blank row (六)1's label
    sat above row (六)2's wrapped label, and its numbers went to (六)1."""
    report = random_report(random.Random(679184), template="2021", consistent=False,
                           blank_probability=0.4)
    assert all(v is None for v in report.applications["other_overdue_correction"].values())
    _round_trip(report, reportgen.render_pdf(report), "report.pdf")
