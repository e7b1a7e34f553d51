"""Reports of the pre-2019 era parse as template ``pre2019``: identity, sections, statistics."""

from __future__ import annotations

import random

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parsing import parse_bytes
from crawler.parsing.record import schema
from crawler.testbed.reportgen.pre2019 import (
    random_pre2019,
    render_pre2019_html,
    render_pre2019_text,
)

RENDER = {"html": (render_pre2019_html, "r.html"), "text": (render_pre2019_text, "r.txt")}


@pytest.mark.parametrize("fmt", sorted(RENDER))
def test_pre2019_round_trip(fmt: str) -> None:
    render, filename = RENDER[fmt]

    @settings(max_examples=20, deadline=None, derandomize=True)
    @given(st.integers(0, 2**32 - 1))
    def check(seed: int) -> None:
        report = random_pre2019(random.Random(seed))
        outcome = parse_bytes(render(report).encode(), filename=filename, isolate=False)
        assert outcome.status == "ok", outcome.message
        record = outcome.record
        assert record is not None
        assert record["template"] == "pre2019"
        assert (record["agency"], record["year"]) == (report.agency, report.year)
        assert record["published_on"] == report.published_on.isoformat()
        assert [{k: r[k] for k in ("label", "unit", "value")} for r in record["statistics"]] == \
            [{**row, "label": "".join(str(row["label"]).split())} for row in report.expected_statistics()]
        assert all("source" in r for r in record["statistics"] if r["value"] is not None)
        assert "扎实推进" in record["sections"]["overview"]
        assert "加强培训" in record["sections"]["problems"]
        jsonschema.validate(record, schema())

    check()
