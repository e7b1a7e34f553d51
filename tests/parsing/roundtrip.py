"""Compare a parsed record with the generator's expected record, listing every difference."""

from __future__ import annotations

import re
from typing import Any

from crawler.reports import checks as reports_checks

TABLES = ("active_disclosure", "applications", "review_litigation")


def differences(record: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Every value of ``expected`` that the record does not reproduce (sections: whitespace aside)."""
    out: list[str] = []
    for key in ("agency", "year", "title", "published_on", "template"):
        if record[key] != expected[key]:
            out.append(f"{key}: parsed {record[key]!r}, expected {expected[key]!r}")
    for table in TABLES:
        for row, cells in expected[table].items():
            for col, value in cells.items():
                got = record[table].get(row, {}).get(col, "<missing>")
                if got != value or type(got) is not type(value):
                    out.append(f"{table}.{row}.{col}: parsed {got!r}, expected {value!r}")
    for name, text in expected["sections"].items():
        if _squash(record["sections"][name]) != _squash(text):
            out.append(f"sections.{name} differs: {record['sections'][name][:60]!r}")
    return out


def failed_check_names(record: dict[str, Any]) -> list[str]:
    """Failed checks as ``rule:where``, the generator's naming."""
    return sorted(reports_checks.failed_check_names(record["checks"]))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cell_accuracy(record: dict[str, Any] | None, expected: dict[str, Any],
                  tables: tuple[str, ...] = TABLES) -> tuple[int, int]:
    """(cells of ``expected`` the record reproduces exactly, cells), blank cells included."""
    right = total = 0
    for table in tables:
        for row, cells in expected[table].items():
            for col, value in cells.items():
                total += 1
                got = ((record or {}).get(table) or {}).get(row, {}).get(col, "<missing>")
                right += got == value and type(got) is type(value)
    return right, total
