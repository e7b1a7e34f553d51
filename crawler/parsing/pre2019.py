"""Reports before the 2019 form: the "政府信息公开情况统计表" of label, unit and value.

From 2008 to 2018 reports carried one statistics table (统计指标 | 单位 | 统计数) instead of
the three tables of the 2019 and 2021 forms. Its rows are read as they are printed: the
label (enumeration kept), the unit (条, 件, 万元, …) and the value, with the cell's source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crawler.parsing.layout import Cell, Line, key
from crawler.parsing.numbers import is_blank, printed_form, to_number

_UNITS = ("人次", "万元", "元", "条", "件", "个", "次", "人", "篇", "场", "项", "期", "批", "家", "份", "天", "日", "%")
_UNIT = re.compile(r"^[(（]?(" + "|".join(_UNITS) + r")[)）]?$")
_TABLE_TITLE = re.compile(r"政府信息公开情况统计表")
_HEADER = ("统计指标", "单位", "统计数")


@dataclass
class Statistics:
    """The rows of the statistics table and where each value came from."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    found_table: bool = False


def is_pre2019(lines: list[Line], year: int | None) -> bool:
    """A report in the pre-2019 shape: the statistics table's title or header, or an early year
    with a label | unit | value table."""
    text = "".join(line.key for line in lines)
    if _TABLE_TITLE.search(text) or all(h in text for h in _HEADER):
        return True
    if year is not None and year < 2019:
        return sum(1 for line in lines if _row(line.cells) is not None) >= 3
    return False


def _row(cells: list[Cell]) -> tuple[str, str, Cell | None] | None:
    """(label, unit, value cell) of a statistics row, or None for other lines."""
    texts = [c for c in cells if c.text.strip()]
    for i in range(len(texts) - 1, 0, -1):
        m = _UNIT.match(key(texts[i].text))
        if not m:
            continue
        after = texts[i + 1:]
        value = after[0] if after else None
        if value is not None and (to_number(value.text) is None and not is_blank(value.text)):
            return None
        label = "".join("".join(c.text.split()) for c in texts[:i])  # as printed, spaces aside
        if not label or to_number(label) is not None:
            return None
        return label, m.group(1), value
    return None


def parse_statistics(lines: list[Line]) -> Statistics:
    """Every label | unit | value row, in order; a label wrapped over lines is joined."""
    out = Statistics()
    pending = ""
    for line in lines:
        found = _row(line.cells)
        if found is None:
            k = line.key
            # a label's first half on its own line just above its row
            pending = k if out.found_table and 0 < len(k) <= 30 and not k.endswith(("。", "：", ":")) else ""
            continue
        label, unit, value = found
        if pending and not re.match(r"^[(（]?[一二三四五六七八九十\d]", label):
            label = pending + label
        pending = ""
        out.found_table = True
        row: dict[str, Any] = {
            "label": label,
            "unit": unit,
            "value": to_number(value.text) if value is not None else None,
        }
        if value is not None and value.source is not None:
            row["source"] = value.source.to_json()
            printed = printed_form(value.text)
            if printed is not None:
                row["source"]["printed"] = printed
        out.rows.append(row)
    return out
