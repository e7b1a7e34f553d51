"""Round trips through renderings other tools and people make: reworded and mistyped headings
and labels, labels broken over lines, Markdown tables (also with generic 数据1…数据N headers),
single-spaced transcriptions. Every value must come back, and every value keeps its source."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.parsing import parse_bytes
from crawler.testbed.reportgen import GeneratedReport, random_report, render_html, render_text
from crawler.testbed.reportgen.variants import (
    break_labels_html,
    render_markdown,
    render_transcription,
    vary_wording,
)
from tests.parsing.roundtrip import TABLES, differences

reports = st.builds(
    lambda seed, template, blanks: random_report(
        random.Random(seed), template=template, blank_probability=blanks
    ),
    st.integers(0, 2**32 - 1),
    st.sampled_from([None, "2019", "2021"]),
    st.sampled_from([0.0, 0.1, 0.4]),
)

FORMS: dict[str, tuple[str, Callable[[GeneratedReport, random.Random], str]]] = {
    "markdown": ("r.md", lambda r, _: render_markdown(r)),
    "markdown-generic-headers": ("r.md", lambda r, _: render_markdown(r, generic_headers=True)),
    "transcription": ("r.txt", lambda r, _: render_transcription(r)),
    "text-reworded": ("r.txt", lambda r, rng: vary_wording(render_text(r), rng)),
    "html-reworded-broken-labels": ("r.html", lambda r, rng: break_labels_html(vary_wording(render_html(r), rng))),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_variant_round_trip(form: str) -> None:
    filename, render = FORMS[form]

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(reports, st.integers(0, 2**16))
    def check(report: GeneratedReport, wording_seed: int) -> None:
        text = render(report, random.Random(wording_seed))
        outcome = parse_bytes(text.encode("utf-8"), filename=filename, isolate=False)
        assert outcome.status == "ok", outcome.message
        assert outcome.record is not None
        assert differences(outcome.record, report.expected_record()) == []
        for table in TABLES:  # every number that was printed can be traced to its line
            for row, cells in report.expected_record()[table].items():
                for col, value in cells.items():
                    if value is not None:
                        assert "line" in outcome.record["sources"][table][row][col] or \
                            "table" in outcome.record["sources"][table][row][col]

    check()


def test_reworded_review_heading_keeps_its_table() -> None:
    """Regression for issue 12: a 四 heading worded differently lost the whole table."""
    report = random_report(random.Random(7), template="2021")
    html = render_html(report).replace(
        "四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议、提起诉讼情况")
    outcome = parse_bytes(html.encode(), filename="r.html", isolate=False)
    assert outcome.record is not None
    assert outcome.record["review_litigation"] == report.review_litigation


def test_review_table_found_by_its_cells_without_a_heading() -> None:
    report = random_report(random.Random(8), template="2019")
    html = render_html(report).replace("四、政府信息公开行政复议、行政诉讼情况", "四、其他统计")
    outcome = parse_bytes(html.encode(), filename="r.html", isolate=False)
    assert outcome.record is not None
    assert outcome.record["review_litigation"] == report.review_litigation
    assert any("section 四 heading not recognised" in w for w in outcome.record["warnings"])
