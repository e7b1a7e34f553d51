"""Section 三 (收到和处理政府信息公开申请情况): 7 applicant columns, rows of either template."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.parsing.labels import APPLICATION_LABELS, closest
from crawler.parsing.layout import Cell, Line, Mode, key
from crawler.parsing.numbers import Number
from crawler.parsing.values import (
    Constraint,
    column_centers,
    has_number,
    is_header_fragment,
    place,
    split_label,
)
from crawler.reports.form import ALL_APPLICANT_LABELS
from crawler.reports.schema import APPLICANT_COLUMNS, OTHER_ROWS_2021, application_rows

#: Row -> words of its label, in the form's order (2019 ``other`` before the 2021 rows).
ROW_PATTERNS: tuple[tuple[str, str], ...] = (
    ("new_received", r"本年新收|新收.{0,6}申请"),
    ("carried_over", r"上年结转|上年度结转"),
    ("granted", r"予以公开"),
    ("partially_granted", r"部分公开|\(二\)部分"),
    ("denied_state_secret", r"国家秘密"),
    ("denied_prohibited_by_law", r"法规禁止|禁止公开"),
    ("denied_security_stability", r"三安全|一稳定|危及"),
    ("denied_third_party", r"第三方"),
    ("denied_internal_affairs", r"内部事务"),
    ("denied_process_info", r"过程性"),
    ("denied_enforcement_file", r"执法案卷"),
    ("denied_admin_query", r"行政查询|查询事项"),
    ("unable_not_held", r"不掌握"),
    ("unable_needs_creation", r"另行制作|没有现成"),
    ("unable_unclear", r"补正后|仍不明确"),
    ("rejected_petition", r"信访|举报投诉"),
    ("rejected_repeat", r"重复申请"),
    ("rejected_publication", r"出版物"),
    ("rejected_excessive", r"大量反复|反复申请"),
    ("rejected_confirmation", r"重新出具|确认或"),
    ("other", r"其他处理"),
    ("other_overdue_correction", r"逾期不补|不补正"),
    ("other_overdue_fee", r"收费通知|缴纳费"),
    ("other_other", r"(^|[^\d])3[.、]?其他$|^其他$"),
    ("total", r"总计"),
    ("carried_forward", r"结转下年|下年度继续"),
)
ORDER: tuple[str, ...] = tuple(name for name, _ in ROW_PATTERNS)
_COMPILED = tuple((name, re.compile(p)) for name, p in ROW_PATTERNS)
COLUMN_LABELS: tuple[str, ...] = ALL_APPLICANT_LABELS
ROW_TOTAL: tuple[Constraint, ...] = ((tuple(range(6)), 6),)


@dataclass
class ApplicationsResult:
    """Rows found with their values, the template they show, and warnings."""

    rows: dict[str, list[Number | None]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    found_table: bool = False
    cells: dict[str, list[Cell | None]] = field(default_factory=dict)  # where each value came from

    @property
    def template(self) -> str:
        if any(r in self.rows for r in OTHER_ROWS_2021):
            return "2021"
        if "other" in self.rows:
            return "2019"
        return "unknown"


def _match(text: str, taken: dict[str, list[Number | None]]) -> list[str]:
    found = [name for name, rx in _COMPILED if name not in taken and rx.search(text)]
    if "other" in found and len(found) > 1:
        found.remove("other")
    return found


def _last_match(name: str, text: str) -> int:
    """Where the last match of row ``name``'s label starts in ``text`` (-1: none)."""
    starts = [m.start() for m in dict(_COMPILED)[name].finditer(text)]
    return max(starts, default=-1)


def parse_applications(lines: list[Line], mode: Mode) -> ApplicationsResult:
    """Read section 三's rows in order; labels may wrap over lines without numbers."""
    result = ApplicationsResult()
    header_cells: list[Cell] = []
    data_lines: list[tuple[str, str, list[Cell]]] = []
    pending = ""
    for line in lines:
        labels, data = split_label(line.cells)
        own = key("".join(c.text for c in labels))
        if has_number(data) or (mode != "geometry" and len(data) >= 7 and _match(own, {})):
            data_lines.append((own, pending, data))
            pending = ""
            continue
        if not data_lines:
            header_cells.extend(
                c for c in line.cells if is_header_fragment(c.text, COLUMN_LABELS) and not c.carried
            )
        pending += own
    if not data_lines:
        return result
    result.found_table = True
    full = [
        [c for c in d if c.text.strip()] for _, _, d in data_lines
    ]
    centers = column_centers(header_cells, [f for f in full if len(f) == 7], 7, mode)
    section_words = "".join(own + pending for own, pending, _ in data_lines)
    has_2021_words = bool(re.search(r"逾期不补|不补正|收费通知|缴纳费", section_words))
    last = -1
    for own, pending, data in data_lines:
        names = _match(own, result.rows)
        if names:
            name = min(names, key=ORDER.index)
        elif names := _match(pending + own, result.rows):
            # the label wrapped from lines above; those may also hold the whole label of a row
            # left blank (no numbers, so no line of its own): the label nearest wins
            name = max(names, key=lambda n: (_last_match(n, pending + own), -ORDER.index(n)))
        elif (fuzzy := closest(own or pending, APPLICATION_LABELS, threshold=75, exclude=result.rows)):
            name = fuzzy
        else:
            following = [
                n for n in ORDER[last + 1 :]
                if n not in result.rows and not (n == "other" and has_2021_words)
            ]
            if not following:
                result.warnings.append(f"applications: a row with no recognisable label ({own or pending})")
                continue
            name = following[0]
            result.warnings.append(f"applications.{name}: label not recognised, placed by its order")
        last = ORDER.index(name)
        placed = place(data, 7, mode, centers, ROW_TOTAL)
        if placed.lost:
            result.warnings.append(f"applications.{name}: {placed.lost}")
        elif mode != "grid" and 0 < placed.values.count(None) <= 2:
            blank = [c for c, v in zip(APPLICANT_COLUMNS, placed.values, strict=True) if v is None]
            result.warnings.append(
                f"applications.{name}: blank {', '.join(blank)} in an otherwise filled row"
            )
        result.rows[name] = placed.values
        result.cells[name] = placed.cells
    return result


def complete_rows(
    result: ApplicationsResult, template: str
) -> dict[str, dict[str, int | None]]:
    """Every row of the template, blank (with a warning) when it was not found."""
    out: dict[str, dict[str, int | None]] = {}
    if not result.found_table:
        return out
    rows = list(application_rows(template)) if template in ("2019", "2021") else []
    rows += [r for r in result.rows if r not in rows]
    for row in rows:
        values = result.rows.get(row)
        if values is None:
            result.warnings.append(f"applications.{row}: row not found")
            values = [None] * 7
        out[row] = {
            col: (int(v) if isinstance(v, float) and v.is_integer() else v)  # type: ignore[misc]
            for col, v in zip(APPLICANT_COLUMNS, values, strict=True)
        }
    return out
