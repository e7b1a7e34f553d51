"""Filters select exactly the reports the archive says they should."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from crawler.exports import ExportFilters, FilterError, count_reports, select_reports
from crawler.reports.regions import region_of
from crawler.testbed.synthetic_archive import AREAS, SyntheticArchive
from storage.db import make_engine
from tests.exports.helpers import Truth


def _selected(archive: SyntheticArchive, filters: ExportFilters) -> set[int]:
    engine = make_engine(archive.db_url)
    with Session(engine) as session:
        found = {r.report_id for r in select_reports(session, filters, batch_size=16)}
    engine.dispose()
    return found


CASES: list[tuple[dict[str, object], Callable[[Truth], bool]]] = [
    ({"region": "西宁市"}, lambda t: region_of(t.agency).startswith("西宁市")),
    ({"region": "西宁市城北区"}, lambda t: region_of(t.agency) == "西宁市城北区"),
    ({"host": "www.yinchuan.gov.test"}, lambda t: t.host == "www.yinchuan.gov.test"),
    ({"host": "WWW.Yinchuan.gov.test"}, lambda t: t.host == "www.yinchuan.gov.test"),
    ({"agency": "民政"}, lambda t: "民政" in t.agency),
    ({"agency": "100%"}, lambda t: False),  # LIKE wildcards are literal
    ({"year_from": 2021}, lambda t: t.year >= 2021),
    ({"year_to": 2020}, lambda t: t.year <= 2020),
    ({"year_from": 2021, "year_to": 2022}, lambda t: 2021 <= t.year <= 2022),
    ({"template": "2019"}, lambda t: t.record["template"] == "2019"),
    ({"template": "2021"}, lambda t: t.record["template"] == "2021"),
    ({"template": "mixed"}, lambda t: False),
    ({"checks": "failed"}, lambda t: t.failed_checks > 0),
    ({"checks": "ok"}, lambda t: t.failed_checks == 0),
    ({"region": "吴忠市", "checks": "ok", "year_from": 2020},
     lambda t: region_of(t.agency).startswith("吴忠市") and t.failed_checks == 0 and t.year >= 2020),
]


#: Cases that must select nothing (literal LIKE wildcards; no mixed-template report generated).
EMPTY_BY_DESIGN = ({"agency": "100%"}, {"template": "mixed"})


@pytest.mark.parametrize(("options", "wanted"), CASES, ids=[repr(c[0]) for c in CASES])
def test_filter_selects_exactly(small_archive: SyntheticArchive, small_truth: dict[int, Truth],
                                options: dict[str, object], wanted: Callable[[Truth], bool]) -> None:
    truth = small_truth
    expected = {rid for rid, t in truth.items() if wanted(t)}
    got = _selected(small_archive, ExportFilters(**options))  # type: ignore[arg-type]
    assert got == expected
    if options not in EMPTY_BY_DESIGN:
        assert 0 < len(got) < len(truth)  # the case selects something, not everything


def test_region_of_the_busiest_area(small_archive: SyntheticArchive,
                                    small_truth: dict[int, Truth]) -> None:
    truth = small_truth
    cities = {f"www.{label}.gov.test": city for label, city, _ in AREAS}
    busiest = Counter(t.host for t in truth.values() if t.host in cities).most_common(1)[0][0]
    city = cities[busiest]
    expected = {rid for rid, t in truth.items() if region_of(t.agency).startswith(city)}
    assert 0 < len(expected) < len(truth)
    assert _selected(small_archive, ExportFilters(region=city)) == expected


def test_count_is_an_upper_bound(small_archive: SyntheticArchive) -> None:
    engine = make_engine(small_archive.db_url)
    with Session(engine) as session:
        assert count_reports(session, ExportFilters()) == small_archive.reports
        assert count_reports(session, ExportFilters(year_from=2025)) == \
            small_archive.reports_per_year[2025]
    engine.dispose()


@pytest.mark.parametrize("options", [{"template": "2020"}, {"checks": "maybe"},
                                     {"year_from": 2024, "year_to": 2020}])
def test_bad_filters_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(FilterError):
        ExportFilters(**options)  # type: ignore[arg-type]
