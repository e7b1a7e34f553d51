"""The official consistency checks (勾稽关系) of a generated report; blank cells count as 0."""

from __future__ import annotations

from crawler.reports.schema import (
    APPLICANT_COLUMNS,
    RESULT_ROWS_2019,
    RESULT_ROWS_2021,
    REVIEW_COLUMNS,
)
from crawler.testbed.reportgen.model import GeneratedReport

_APPLICANTS = APPLICANT_COLUMNS[:-1]
_RESULTS = REVIEW_COLUMNS[:-1]


def result_rows(template: str) -> tuple[str, ...]:
    """Rows (一)…(六) of section 三 whose sum is (七)总计."""
    return RESULT_ROWS_2019 if template == "2019" else RESULT_ROWS_2021


def failed_checks(report: GeneratedReport) -> list[str]:
    """Names of the checks the report's numbers break, e.g. ``"balance:natural_person"``."""
    apps = report.applications

    def v(row: str, col: str) -> int:
        return apps[row][col] or 0

    failures: list[str] = []
    for col in APPLICANT_COLUMNS:
        if v("new_received", col) + v("carried_over", col) != v("total", col) + v(
            "carried_forward", col
        ):
            failures.append(f"balance:{col}")
        if v("total", col) != sum(v(row, col) for row in result_rows(report.template)):
            failures.append(f"results_sum:{col}")
    for row in apps:
        if v(row, "total") != sum(v(row, col) for col in _APPLICANTS):
            failures.append(f"row_total:{row}")
    for group, cells in report.review_litigation.items():
        if (cells["total"] or 0) != sum(cells[c] or 0 for c in _RESULTS):
            failures.append(f"review_total:{group}")
    return failures
