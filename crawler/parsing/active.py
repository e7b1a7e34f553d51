"""Section 二 (主动公开政府信息情况): rows and fields of either template, as found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.parsing.labels import ACTIVE_FIELDS, ACTIVE_LABELS, closest
from crawler.parsing.layout import Cell, Line, Mode, key
from crawler.parsing.numbers import Number, split_unit
from crawler.parsing.values import column_centers, has_number, place, split_label
from crawler.reports.schema import ACTIVE_DISCLOSURE_2019, ACTIVE_DISCLOSURE_2021

_ENUM = re.compile(r"^[\d一二三四五六七八九十()（）.、]*")
ROW_PATTERNS: tuple[tuple[str, str], ...] = (
    ("other_services", r"其他对外管理服务事项?|对外管理服务"),
    ("normative_documents", r"(行政)?规范性文件"),
    ("regulations", r"规章"),
    ("licensing", r"行政许可"),
    ("punishment", r"行政处罚"),
    ("enforcement", r"行政强制"),
    ("fees", r"行政事业性收费|事业性收费"),
    ("procurement", r"政府集中采购|集中采购"),
)
FIELD_PATTERNS: tuple[tuple[str, str], ...] = (
    ("made", r"新制作"),
    ("published", r"新公开"),
    ("total", r"对外公开总|公开总数"),
    ("issued", r"制发"),
    ("repealed", r"废止|度止|止件数"),
    ("in_force", r"现行有效|有效件数"),
    ("previous_items", r"上一年|上年项目"),
    ("change", r"增/?减|增减"),
    ("decisions", r"处理决定"),
    ("amount_10k_yuan", r"收费金额"),
    ("items", r"采购项目"),
    ("amount", r"采购总金额|总金额"),
)


@dataclass
class ActiveResult:
    """Rows found, the template each row's columns belong to, and warnings."""

    rows: dict[str, dict[str, Number | None]] = field(default_factory=dict)
    row_templates: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    cells: dict[str, dict[str, Cell]] = field(default_factory=dict)  # where each value came from
    units: dict[str, str] = field(default_factory=dict)  # "row.field" -> unit as printed

    @property
    def template(self) -> str:
        found = set(self.row_templates.values()) - {"unknown"}
        if not found:
            return "unknown"
        return found.pop() if len(found) == 1 else "mixed"


def _row_name(label: str) -> str | None:
    text = _ENUM.sub("", label)
    if not text or len(text) > 16:
        return None
    for name, pattern in ROW_PATTERNS:
        if re.fullmatch(pattern, text):
            return name
    for name, pattern in ROW_PATTERNS:
        if len(text) <= 12 and re.search(pattern, text):
            return name
    return closest(text, ACTIVE_LABELS, threshold=70)


def _header_fields(cells: list[Cell]) -> list[tuple[str, Cell]]:
    out: list[tuple[str, Cell]] = []
    for cell in cells:
        k = key(cell.text)
        for name, pattern in FIELD_PATTERNS:
            if k and re.search(pattern, k):
                out.append((name, cell))
                break
        else:
            fuzzy = closest(k, ACTIVE_FIELDS, threshold=75) if 4 <= len(k) <= 20 else None
            if fuzzy is not None:
                out.append((fuzzy, cell))
    return out


def _template_of(row: str, fields: tuple[str, ...]) -> str:
    if ACTIVE_DISCLOSURE_2019.get(row) == fields:
        return "2019"
    if ACTIVE_DISCLOSURE_2021.get(row) == fields:
        return "2021"
    return "unknown"


def parse_active(lines: list[Line], mode: Mode, fallback: str) -> ActiveResult:
    """Read section 二's rows; ``fallback`` is the template used when headers are illegible."""
    result = ActiveResult()
    header: list[tuple[str, Cell]] = []
    for line in lines:
        labels, data = split_label(line.cells)
        label = key("".join(c.text for c in labels))
        found = _header_fields(line.cells) if not has_number(data) else []
        if found:
            header = found
            continue
        name = _row_name(label)
        if name is None or name in result.rows:
            continue
        fields = tuple(f for f, _ in header)
        template = _template_of(name, fields)
        if template == "unknown":
            guess = (ACTIVE_DISCLOSURE_2019 if fallback == "2019" else ACTIVE_DISCLOSURE_2021).get(name)
            if guess is None:
                guess = ACTIVE_DISCLOSURE_2019.get(name) or ACTIVE_DISCLOSURE_2021[name]
            if header:
                result.warnings.append(
                    f"active_disclosure.{name}: column headers not recognised, read as {'/'.join(guess)}"
                )
            fields = guess
            template = _template_of(name, fields)
            centers = None
        else:
            centers = column_centers([c for _, c in header], [], len(fields), mode)
        placed = place(data, len(fields), mode, centers)
        if placed.lost:
            result.warnings.append(f"active_disclosure.{name}: {placed.lost}")
        result.rows[name] = dict(zip(fields, placed.values, strict=True))
        result.row_templates[name] = template
        result.cells[name] = {f: c for f, c in zip(fields, placed.cells, strict=False) if c is not None}
        headers = dict(header) if centers is not None else {}
        for f in (f for f in fields if f == "amount"):  # 采购总金额: 元 or 万元, as printed
            unit = _unit(result.cells[name].get(f), headers.get(f))
            if unit:
                result.units[f"{name}.{f}"] = unit
    return result


_HEADER_UNIT = re.compile(r"[(（](?:单位[:：])?\s*(万元|元)\s*[)）]")


def _unit(value: Cell | None, header: Cell | None) -> str | None:
    """The money unit printed in a value cell ("35.6万元") or its column header ("（万元）")."""
    if value is not None:
        unit = split_unit(value.text)[1]
        if unit in ("元", "万元"):
            return unit
    if header is not None:
        m = _HEADER_UNIT.search(header.text)
        if m:
            return m.group(1)
    return None


def complete_rows(result: ActiveResult, template: str) -> dict[str, dict[str, Number | None]]:
    """Every row of the template (blank when not found), plus rows found of the other one."""
    if template not in ("2019", "2021"):
        return dict(result.rows)
    layout = ACTIVE_DISCLOSURE_2019 if template == "2019" else ACTIVE_DISCLOSURE_2021
    out: dict[str, dict[str, Number | None]] = {}
    for row, fields in layout.items():
        if row in result.rows:
            out[row] = result.rows[row]
        else:
            out[row] = dict.fromkeys(fields)
            result.warnings.append(f"active_disclosure.{row}: row not found")
    for row, values in result.rows.items():
        out.setdefault(row, values)
    return out
