"""The official consistency checks (勾稽关系) of a parsed record.

Rules (``where`` names the column, row or group):

- ``balance``: 一 + 二 (expected) = 三(七)总计 + 四 (actual), per applicant column;
- ``results_sum``: the sum of rows (一)…(六) (expected) = 三(七)总计 (actual), per column;
- ``row_total``: the sum of the six applicant columns (expected) = 总计 (actual), per row;
- ``review_total``: the sum of the four results (expected) = 总计 (actual), per group.

A blank cell counts as 0; a check whose cells are all blank is not recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crawler.reports.schema import (
    APPLICANT_COLUMNS,
    OTHER_ROWS_2019,
    OTHER_ROWS_2021,
    RESULT_ROWS_2019,
    REVIEW_COLUMNS,
)

Check = dict[str, Any]
_RESULTS_COMMON = RESULT_ROWS_2019[: -len(OTHER_ROWS_2019)]


def _check(rule: str, where: str, parts: Sequence[Any], totals: Sequence[Any]) -> Check | None:
    if all(v is None for v in (*parts, *totals)):
        return None
    expected = sum(v or 0 for v in parts)
    actual = sum(v or 0 for v in totals)
    return {"rule": rule, "where": where, "ok": expected == actual,
            "expected": expected, "actual": actual}


def run_checks(
    applications: Mapping[str, Mapping[str, Any]],
    review: Mapping[str, Mapping[str, Any]],
) -> list[Check]:
    """All checks that the found tables allow, in a stable order."""
    out: list[Check | None] = []
    if applications:
        other_rows = [r for r in (*OTHER_ROWS_2019, *OTHER_ROWS_2021) if r in applications]
        result_rows = [r for r in _RESULTS_COMMON if r in applications] + other_rows

        def cell(row: str, col: str) -> Any:
            return applications.get(row, {}).get(col)

        for col in APPLICANT_COLUMNS:
            out.append(_check("balance", col, [cell("new_received", col), cell("carried_over", col)],
                              [cell("total", col), cell("carried_forward", col)]))
        for col in APPLICANT_COLUMNS:
            out.append(_check("results_sum", col, [cell(r, col) for r in result_rows],
                              [cell("total", col)]))
        for row, values in applications.items():
            out.append(_check("row_total", row, [values.get(c) for c in APPLICANT_COLUMNS[:-1]],
                              [values.get("total")]))
    for group, values in review.items():
        out.append(_check("review_total", group, [values.get(c) for c in REVIEW_COLUMNS[:-1]],
                          [values.get("total")]))
    return [c for c in out if c is not None]


def failed_check_names(checks: Sequence[Check]) -> list[str]:
    """``rule:where`` of each failed check, e.g. ``"balance:natural_person"``."""
    return [f"{c['rule']}:{c['where']}" for c in checks if not c["ok"]]
