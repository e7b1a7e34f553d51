"""Section 四 (行政复议、行政诉讼): 3 groups of 5 columns, usually one row of 15 values."""

from __future__ import annotations

from crawler.parsing.layout import Cell, Line, Mode
from crawler.parsing.numbers import Number
from crawler.parsing.values import (
    Constraint,
    column_centers,
    has_number,
    is_header_fragment,
    place,
    split_label,
)
from crawler.reports.form import REVIEW_LABELS
from crawler.reports.schema import REVIEW_COLUMNS, REVIEW_GROUPS

LABELS: tuple[str, ...] = REVIEW_LABELS
GROUP_TOTALS: tuple[Constraint, ...] = tuple(
    ((g * 5, g * 5 + 1, g * 5 + 2, g * 5 + 3), g * 5 + 4) for g in range(3)
)


def parse_review(
    lines: list[Line], mode: Mode, sources: dict[str, dict[str, Cell]] | None = None
) -> tuple[dict[str, dict[str, int | None]], list[str]]:
    """The 15 values by group and column, and warnings; ``sources`` gets each value's cell."""
    header: list[Cell] = []
    data: list[Cell] = []
    for line in lines:
        _, values = split_label(line.cells)
        if has_number(values):
            data.extend(values)
        elif not data:
            header.extend(c for c in line.cells if is_header_fragment(c.text, LABELS))
    if not data:
        return {}, ["review_litigation: no values found"]
    filled = [c for c in data if c.text.strip()]
    centers = column_centers(header, [filled] if len(filled) == 15 else [], 15, mode)
    placed = place(data, 15, mode, centers, GROUP_TOTALS)
    warnings = [f"review_litigation: {placed.lost}"] if placed.lost else []
    out: dict[str, dict[str, int | None]] = {}
    for g, group in enumerate(REVIEW_GROUPS):
        out[group] = {
            col: _as_int(placed.values[g * 5 + i]) for i, col in enumerate(REVIEW_COLUMNS)
        }
        if sources is not None:
            sources[group] = {
                col: cell for i, col in enumerate(REVIEW_COLUMNS)
                if (cell := placed.cells[g * 5 + i]) is not None
            }
    return out, warnings


def _as_int(value: Number | None) -> int | None:
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return value
