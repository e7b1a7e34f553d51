"""Random synthetic annual reports with varied numbers, consistent or broken on purpose."""

from __future__ import annotations

import datetime
import random

from crawler.reports.schema import (
    APPLICANT_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    active_disclosure_layout,
    application_rows,
    result_rows,
)
from crawler.testbed.reportgen import corpus
from crawler.testbed.reportgen.model import (
    TEMPLATE_DOCUMENT,
    GeneratedReport,
    Number,
    failed_checks,
    format_date,
)

_APPLICANTS = APPLICANT_COLUMNS[:-1]
#: How busy each applicant column is, relative to 自然人.
_APPLICANT_SCALE = (1.0, 0.35, 0.05, 0.08, 0.1, 0.12)
#: Relative frequency of result rows (一)…(六): most requests are granted.
_RESULT_WEIGHT = {
    "granted": 30.0,
    "partially_granted": 6.0,
    "unable_not_held": 10.0,
    "rejected_petition": 3.0,
    "rejected_repeat": 2.0,
}
BROKEN_KINDS: tuple[str, ...] = ("balance", "results_sum", "row_total", "review_total")


def template_for_year(year: int) -> str:
    """The official template in force for a report year."""
    return "2019" if year <= 2020 else "2021"


def small_count(rng: random.Random, *, zero: float = 0.1) -> int:
    """A count that is mostly small, sometimes large, rarely zero."""
    roll = rng.random()
    if roll < zero:
        return 0
    if roll < 0.75:
        return rng.randint(1, 20)
    if roll < 0.95:
        return rng.randint(21, 500)
    return rng.randint(501, 20000)


def decimal_amount(rng: random.Random, low: float, high: float) -> float:
    """A non-integral amount with 1 to 4 decimals, e.g. 12.5."""
    places = rng.randint(1, 4)
    while True:
        value = round(rng.uniform(low, high), places)
        if value != int(value):
            return value


def _active_disclosure(rng: random.Random, template: str) -> dict[str, dict[str, Number | None]]:
    out: dict[str, dict[str, Number | None]] = {}
    for row, fields in active_disclosure_layout(template).items():
        cells: dict[str, Number | None] = {}
        if fields in (("made", "published", "total"), ("issued", "repealed", "in_force")):
            first = rng.randint(0, 3) if row == "regulations" else small_count(rng, zero=0.2)
            second = rng.randint(0, first) if fields[0] == "made" else rng.randint(0, 5)
            cells = dict(zip(fields, (first, second, first + rng.randint(0, 80)), strict=True))
        elif fields == ("previous_items", "change", "decisions"):
            cells = {
                "previous_items": small_count(rng),
                "change": rng.randint(-15, 30),
                "decisions": small_count(rng),
            }
        elif fields == ("previous_items", "change"):
            cells = {"previous_items": rng.randint(0, 30), "change": rng.randint(-5, 5)}
        elif fields == ("decisions",):
            cells = {"decisions": small_count(rng)}
        elif fields == ("items", "amount"):
            cells = {"items": small_count(rng), "amount": decimal_amount(rng, 1, 9000)}
        elif fields == ("amount_10k_yuan",):
            cells = {"amount_10k_yuan": decimal_amount(rng, 0.01, 800)}
        else:  # pragma: no cover - a new schema field needs a generator rule
            raise ValueError(f"no generator rule for {row}: {fields}")
        out[row] = cells
    return out


def _applications(rng: random.Random, template: str) -> dict[str, dict[str, int | None]]:
    rows = application_rows(template)
    results = result_rows(template)
    weights = [_RESULT_WEIGHT.get(r, 1.0) * rng.uniform(0.2, 1.5) for r in results]
    table: dict[str, dict[str, int | None]] = {row: {} for row in rows}
    busy = rng.choice((5, 20, 60, 400))
    for col, scale in zip(_APPLICANTS, _APPLICANT_SCALE, strict=True):
        new = int(rng.expovariate(1.0) * busy * scale + (rng.random() < 0.7))
        carried = rng.randint(0, 3) if rng.random() < 0.4 else 0
        forward = rng.randint(0, min(new + carried, 4))
        handled = new + carried - forward
        counts = dict.fromkeys(results, 0)
        for row in rng.choices(results, weights=weights, k=handled):
            counts[row] += 1
        table["new_received"][col] = new
        table["carried_over"][col] = carried
        table["carried_forward"][col] = forward
        table["total"][col] = handled
        for row, n in counts.items():
            table[row][col] = n
    for row in rows:
        table[row]["total"] = sum(table[row][c] or 0 for c in _APPLICANTS)
    return table


def _review(rng: random.Random) -> dict[str, dict[str, int | None]]:
    out: dict[str, dict[str, int | None]] = {}
    for group in REVIEW_GROUPS:
        busy = rng.random() < 0.6
        cells: dict[str, int | None] = {
            c: (rng.choice((0, 0, 1, 1, 2, 3, 5, 12, 40)) if busy else 0)
            for c in REVIEW_COLUMNS[:-1]
        }
        cells["total"] = sum(v or 0 for v in cells.values())
        out[group] = cells
    return out


def _blank_out(
    rng: random.Random,
    p: float,
    report_tables: tuple[
        dict[str, dict[str, Number | None]],
        dict[str, dict[str, int | None]],
        dict[str, dict[str, int | None]],
    ],
) -> None:
    """Empty cells: any cell of section 二 (procurement most often), zeros elsewhere."""
    if p <= 0:
        return
    active, apps, review = report_tables
    for row, cells in active.items():
        chance = min(1.0, 4 * p) if row == "procurement" else p
        for key in cells:
            if rng.random() < chance:
                cells[key] = None
    for table in (apps, review):
        for cells_i in table.values():
            for key, value in cells_i.items():
                if value == 0 and rng.random() < p:
                    cells_i[key] = None


def _break(rng: random.Random, report: GeneratedReport) -> str:
    """Make one official check fail on purpose; returns which kind."""
    kind = rng.choice(BROKEN_KINDS)
    delta = rng.randint(1, 5)
    apps = report.applications

    def bump(row: str, col: str) -> None:
        apps[row][col] = (apps[row][col] or 0) + delta

    if kind == "balance":
        col = rng.choice(_APPLICANTS)
        bump("carried_forward", col)
        bump("carried_forward", "total")
    elif kind == "results_sum":
        row = rng.choice(result_rows(report.template))
        col = rng.choice(_APPLICANTS)
        bump(row, col)
        bump(row, "total")
    elif kind == "row_total":
        bump(rng.choice(tuple(apps)), "total")
    else:
        cells = report.review_litigation[rng.choice(REVIEW_GROUPS)]
        cells["total"] = (cells["total"] or 0) + delta
    return kind


def _preamble(rng: random.Random, title: str, template: str, year: int) -> str:
    doc = TEMPLATE_DOCUMENT[template]
    if rng.random() < 0.6:
        return (
            "根据《中华人民共和国政府信息公开条例》规定和《国务院办公厅政府信息与政务公开办公室关于印发"
            f"〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（{doc}）要求，现发布《{title}》。"
            f"本报告统计数据从{year}年1月1日至12月31日。如对本报告有疑问，请与本机关办公室联系。"
        )
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》要求编制，全文包括总体情况、主动公开政府信息情况、"
        "收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、"
        f"其他需要报告的事项。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    )


def random_report(
    rng: random.Random,
    *,
    agency: str | None = None,
    year: int | None = None,
    template: str | None = None,
    consistent: bool = True,
    blank_probability: float = 0.0,
) -> GeneratedReport:
    """A random report; ``consistent=False`` breaks at least one official check on purpose.

    Blank cells (``None``): any cell of section 二 with ``blank_probability`` (政府集中采购
    four times as often); in sections 三 and 四 only zero cells, so the checks still hold.
    """
    if agency is None:
        agency = rng.choice(corpus.agencies())
    if year is None:
        year = (
            rng.choice((2019, 2020))
            if template == "2019"
            else (rng.randint(2021, 2024) if template == "2021" else rng.randint(2019, 2024))
        )
    if template is None:
        template = template_for_year(year)
    if template not in TEMPLATE_DOCUMENT:
        raise ValueError(f"template must be '2019' or '2021', not {template!r}")
    title = f"{agency}{year}年政府信息公开工作年度报告"
    published_on = datetime.date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    active = _active_disclosure(rng, template)
    apps = _applications(rng, template)
    review = _review(rng)
    _blank_out(rng, blank_probability, (active, apps, review))
    sections = {
        "overview": corpus.overview(rng, agency, year),
        "problems": corpus.problems(rng, year),
        "other": corpus.other_matters(rng, year),
    }
    report = GeneratedReport(
        agency=agency,
        year=year,
        template=template,
        title=title,
        published_on=published_on,
        active_disclosure=active,
        applications=apps,
        review_litigation=review,
        sections=sections,
        preamble=_preamble(rng, title, template, year),
        signature=f"{agency}\n{format_date(published_on)}",
        layout_seed=rng.randrange(1 << 16),
    )
    if not consistent:
        report.extra["broken"] = _break(rng, report)
        if not failed_checks(report):  # pragma: no cover - _break always breaks one
            raise AssertionError("failed to break a check")
    return report
