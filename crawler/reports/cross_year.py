"""Checks across years: this year's report against the same agency's report of the year before.

Rules (the record's ``checks`` shape, ``where`` names the column or row):

- ``carried_over_prev``: last year's 四、结转下年度继续办理 (expected) = this year's
  二、上年结转政府信息公开申请数量 (actual), per applicant column;
- ``in_force_prev``: last year's 现行有效件数 + this year's 本年制发件数 − 本年废止件数
  (expected) = this year's 现行有效件数 (actual), for 规章 and 行政规范性文件 (2021 form,
  both years).

A check is recorded only when both years printed the cells it compares (blank = not printed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.reports.schema import APPLICANT_COLUMNS

Check = dict[str, Any]
CROSS_YEAR_RULES = ("carried_over_prev", "in_force_prev")


def _cell(record: Mapping[str, Any], table: str, row: str, col: str) -> Any:
    value = ((record.get(table) or {}).get(row) or {}).get(col)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def cross_year_checks(this: Mapping[str, Any], last: Mapping[str, Any]) -> list[Check]:
    """The cross-year checks of ``this`` year's record against ``last`` year's."""
    out: list[Check] = []
    for col in APPLICANT_COLUMNS:
        before = _cell(last, "applications", "carried_forward", col)
        now = _cell(this, "applications", "carried_over", col)
        if before is not None and now is not None:
            out.append({"rule": "carried_over_prev", "where": col, "ok": before == now,
                        "expected": before, "actual": now, "previous_year": last.get("year")})
    for row in ("regulations", "normative_documents"):
        before = _cell(last, "active_disclosure", row, "in_force")
        issued = _cell(this, "active_disclosure", row, "issued")
        repealed = _cell(this, "active_disclosure", row, "repealed")
        now = _cell(this, "active_disclosure", row, "in_force")
        if before is None or now is None or (issued is None and repealed is None):
            continue
        expected = before + (issued or 0) - (repealed or 0)
        out.append({"rule": "in_force_prev", "where": row, "ok": expected == now,
                    "expected": expected, "actual": now, "previous_year": last.get("year")})
    return out


def with_cross_year(this: Mapping[str, Any], last: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of ``this`` record whose ``checks`` also hold the cross-year checks."""
    out = dict(this)
    checks = [c for c in this.get("checks") or [] if c.get("rule") not in CROSS_YEAR_RULES]
    out["checks"] = checks + (cross_year_checks(this, last) if last else [])
    return out
