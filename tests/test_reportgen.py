"""Tests for the synthetic report generator and its renderers."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import os
import random
import re
import shutil
import time
from pathlib import Path

import docx
import lxml.html
import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.reports.schema import (
    APPLICANT_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    active_disclosure_layout,
    application_rows,
)
from crawler.testbed.reportgen import (
    ConverterMissing,
    GeneratedReport,
    random_report,
    render_doc,
    render_docx,
    render_html,
    render_html_page,
    render_notice_html,
    render_pdf,
    render_text,
)
from crawler.testbed.reportgen.tables import active_disclosure_grid, applications_grid

SIX = APPLICANT_COLUMNS[:6]


def _violations(report: GeneratedReport) -> list[str]:
    """The official checks, written here independently of the generator (blank = 0)."""
    a = report.applications
    rows = list(a)
    first_result = rows.index("carried_over") + 1
    seven = rows.index("total")
    results = rows[first_result:seven]

    def n(row: str, col: str) -> int:
        value = a[row][col]
        return 0 if value is None else value

    bad = []
    for col in APPLICANT_COLUMNS:
        if n("new_received", col) + n("carried_over", col) != n("total", col) + n(
            "carried_forward", col
        ):
            bad.append(f"一+二 != 七+四 in {col}")
        if sum(n(r, col) for r in results) != n("total", col):
            bad.append(f"sum(一..六) != 七 in {col}")
    for row in rows:
        if sum(n(row, c) for c in SIX) != n(row, "total"):
            bad.append(f"总计 column in {row}")
    for group, cells in report.review_litigation.items():
        four = sum(cells[c] or 0 for c in ("upheld", "corrected", "other", "pending"))
        if four != (cells["total"] or 0):
            bad.append(f"四 total in {group}")
    return bad


@pytest.mark.parametrize("seed", range(40))
def test_consistent_reports_pass_every_check(seed: int) -> None:
    report = random_report(random.Random(seed), blank_probability=0.2 if seed % 2 else 0.0)
    assert _violations(report) == []


@pytest.mark.parametrize("seed", range(40))
def test_inconsistent_reports_break_a_check(seed: int) -> None:
    report = random_report(random.Random(seed), consistent=False)
    assert _violations(report) != []


@pytest.mark.parametrize("seed", range(10))
def test_record_shape_follows_report_schema(seed: int) -> None:
    report = random_report(random.Random(seed))
    record = report.expected_record()
    layout = active_disclosure_layout(report.template)
    assert {k: tuple(v) for k, v in record["active_disclosure"].items()} == layout
    assert tuple(record["applications"]) == application_rows(report.template)
    assert all(tuple(cells) == APPLICANT_COLUMNS for cells in record["applications"].values())
    assert tuple(record["review_litigation"]) == REVIEW_GROUPS
    assert all(tuple(c) == REVIEW_COLUMNS for c in record["review_litigation"].values())
    assert set(record["sections"]) == {"overview", "problems", "other"}
    assert record["title"] == f"{record['agency']}{record['year']}年政府信息公开工作年度报告"
    published = datetime.date.fromisoformat(record["published_on"])
    assert published.year == report.year + 1 and published.month <= 3


def test_template_follows_year_unless_forced() -> None:
    rng = random.Random(1)
    assert random_report(rng, year=2020).template == "2019"
    assert random_report(rng, year=2021).template == "2021"
    assert random_report(rng, year=2023, template="2019").template == "2019"
    assert random_report(rng, template="2019").year in (2019, 2020)
    with pytest.raises(ValueError):
        random_report(rng, template="2017")


def test_numbers_are_varied_and_mostly_non_zero() -> None:
    values: list[float] = []
    decimals = 0
    for seed in range(30):
        report = random_report(random.Random(seed))
        for table in (report.active_disclosure, report.applications, report.review_litigation):
            for cells in table.values():
                for v in cells.values():
                    if v is not None:
                        values.append(v)
                        decimals += isinstance(v, float) and v != int(v)
    assert sum(v != 0 for v in values) > len(values) / 3
    assert max(values) > 500 and decimals >= 30
    assert len(set(values)) > 100


def test_blanks_are_none_and_render_blank() -> None:
    report = random_report(random.Random(7), template="2019", blank_probability=0.5)
    assert report.active_disclosure["procurement"] == {"items": None, "amount": None} or any(
        v is None for cells in report.active_disclosure.values() for v in cells.values()
    )
    html = render_html(report)
    assert "&nbsp;" in html
    row = next(line for line in render_text(report).splitlines() if line.startswith("政府集中采购"))
    cells = row.split("\t")[1:3]
    expected = report.active_disclosure["procurement"]
    assert [c or None for c in cells] == [
        None if v is None else re.sub(r"\.?0+$", "", f"{v:.4f}") if isinstance(v, float) else str(v)
        for v in expected.values()
    ]


def test_same_seed_same_output() -> None:
    a = random_report(random.Random(42), blank_probability=0.1)
    b = random_report(random.Random(42), blank_probability=0.1)
    assert a == b
    assert render_html_page(a) == render_html_page(b)
    assert render_text(a) == render_text(b)
    assert render_text(random_report(random.Random(43))) != render_text(a)


def _expand(table: lxml.html.HtmlElement) -> list[list[str]]:
    """A table's full grid, merged cells repeated, to read values back independently."""
    grid: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.xpath(".//tr")):
        c = 0
        for td in tr.xpath("./td"):
            while (r, c) in grid:
                c += 1
            text = td.text_content().replace("\xa0", "").strip()
            for dr in range(int(td.get("rowspan", 1))):
                for dc in range(int(td.get("colspan", 1))):
                    grid[(r + dr, c + dc)] = text
            c += int(td.get("colspan", 1))
    nrows = 1 + max(r for r, _ in grid)
    ncols = 1 + max(c for _, c in grid)
    return [[grid.get((r, c), "") for c in range(ncols)] for r in range(nrows)]


@pytest.mark.parametrize("seed", range(6))
def test_html_tables_have_merged_cells_and_carry_the_values(seed: int) -> None:
    report = random_report(random.Random(seed), blank_probability=0.1)
    page = render_html_page(report, charset="gbk", meta={"ArticleTitle": report.title})
    doc = lxml.html.fromstring(page.encode("gbk"))
    assert doc.xpath("//meta[@name='ArticleTitle']/@content") == [report.title]
    assert doc.xpath("//h1")[0].text_content() == report.title
    tables = doc.xpath("//table")
    assert len(tables) == 3
    assert doc.xpath("//td[@rowspan]") and doc.xpath("//td[@colspan]")
    grid = _expand(tables[1])
    assert all(len(row) == 10 for row in grid)
    new_row = next(row for row in grid if row[0].startswith("一、本年新收"))
    expected = [report.applications["new_received"][c] for c in APPLICANT_COLUMNS]
    assert [int(x) if x else None for x in new_row[3:]] == expected
    review = _expand(tables[2])
    flat = [report.review_litigation[g][c] for g in REVIEW_GROUPS for c in REVIEW_COLUMNS]
    assert [int(x) if x else None for x in review[-1]] == flat
    text = doc.text_content()
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "六、其他需要报告的事项"):
        assert heading in text


@pytest.mark.parametrize("seed", range(8))
def test_text_layout_like_the_seeds(seed: int) -> None:
    report = random_report(random.Random(seed), blank_probability=0.1)
    for variant in (0, 4):
        shown = dataclasses.replace(report, layout_seed=variant)
        text = render_text(shown)
        lines = text.splitlines()
        assert str(shown.year) in lines[0] and shown.agency in lines[0]
        total_line = next(ln for ln in lines if "总计" in ln and ln.strip().startswith("（七）"))
        fields = total_line.split("\t")[-7:]
        assert [int(f) if f else None for f in fields] == [
            shown.applications["total"][c] for c in APPLICANT_COLUMNS
        ]
        assert "申请人情况" in text and "勾稽关系" in text.replace("\t", "").replace("\n", "")
        assert (
            lines[-1]
            == f"{shown.published_on.year}年{shown.published_on.month}月{shown.published_on.day}日"
        )
    extractor = render_text(dataclasses.replace(report, layout_seed=4))
    assert f" {report.year} 年" in extractor.splitlines()[0]
    assert "结果 维持" in extractor


def test_sections_appear_in_every_rendering() -> None:
    report = random_report(random.Random(11))
    html_text = lxml.html.fromstring(render_html(report)).text_content()
    for rendered in (render_text(report), html_text):
        flat = re.sub(r"\s", "", rendered)
        for body in report.sections.values():
            assert re.sub(r"\s", "", body) in flat


def test_notices_mention_reports_but_are_not_reports() -> None:
    rng = random.Random(3)
    titles = set()
    for _ in range(30):
        title, html = render_notice_html("平罗县科学技术局", 2021, rng)
        titles.add(title)
        assert "年度报告" in html or "政务公开" in html
        assert title != "平罗县科学技术局2021年政府信息公开工作年度报告"
        assert re.search("通知|要点|解读|图读懂|公示", title)
        assert "<table" not in html
    assert len(titles) >= 4


# --- binary renderers ------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reportgen"


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize("seed", range(3))
def test_pdf_opens_and_carries_title_labels_and_numbers(seed: int) -> None:
    report = random_report(random.Random(seed), blank_probability=0.1)
    data = render_pdf(report)
    assert data.startswith(b"%PDF-")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        assert len(pdf.pages) >= 2
        ruled = sum(len(page.lines) + len(page.rects) for page in pdf.pages)
    flat = _flat(text)
    assert report.title in flat
    for label in (
        "申请人情况",
        "本年新收政府信息公开申请数量",
        "属于国家秘密",
        "行政复议",
        "第二十条第（一）项",
        "复议后起诉",
        "结转下年度继续办理",
    ):
        assert label in flat, label
    assert ruled > 50  # tables are drawn as ruled grids
    seven = next(ln for ln in text.splitlines() if ln.startswith("（七）总计"))
    totals = [str(v) for v in report.applications["total"].values() if v is not None]
    assert seven.split()[1:] == totals
    assert f"{report.published_on.year}年{report.published_on.month}月" in flat


def test_pdf_bytes_are_reproducible() -> None:
    report = random_report(random.Random(5))
    assert render_pdf(report) == render_pdf(random_report(random.Random(5)))


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_docx_opens_with_merged_cells_and_values(template: str) -> None:
    report = random_report(random.Random(8), template=template, blank_probability=0.2)
    data = render_docx(report)
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs[0].text == report.title
    assert document.core_properties.title == report.title
    assert len(document.tables) == 3
    apps = document.tables[1]
    header = apps.rows[0].cells
    assert header[0]._tc is header[2]._tc  # the 勾稽关系 note spans three columns
    assert header[3]._tc is header[9]._tc  # 申请人情况 spans seven
    assert apps.rows[0].cells[0].text == apps.rows[2].cells[0].text  # and three rows
    forward = next(r for r in apps.rows if r.cells[0].text.startswith("四、结转"))
    expected = report.applications["carried_forward"]
    assert [c.text or None for c in forward.cells[3:]] == [
        None if v is None else str(v) for v in expected.values()
    ]
    review = document.tables[2]
    assert [c.text for c in review.rows[3].cells] == [
        "" if report.review_litigation[g][c] is None else str(report.review_litigation[g][c])
        for g in REVIEW_GROUPS
        for c in REVIEW_COLUMNS
    ]


def test_docx_bytes_are_reproducible() -> None:
    report = random_report(random.Random(9))
    first = render_docx(report)
    time.sleep(1.1)  # zip entries would otherwise carry the wall-clock second
    assert render_docx(report) == first


def _doc_fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("*.doc"))


def test_doc_fixtures_exist_for_both_templates() -> None:
    names = [p.stem for p in _doc_fixtures()]
    assert any("2019" in n for n in names) and any("2021" in n for n in names)
    assert any("blanks" in n for n in names) and any("inconsistent" in n for n in names)


@pytest.mark.parametrize("path", _doc_fixtures(), ids=lambda p: p.stem)
def test_doc_fixture_is_ole_and_in_step_with_generator(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(bytes.fromhex("d0cf11e0a1b11ae1"))
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    report = random_report(random.Random(meta["seed"]), **meta["kwargs"])
    assert report.expected_record() == meta["expected_record"]
    if not meta["kwargs"].get("consistent", True):
        assert _violations(report)
    # Word 97 stores the text as UTF-16LE pieces: the title must be in the file.
    assert report.title.encode("utf-16-le") in data


def test_render_doc_without_converter_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ConverterMissing, match="apt-get install"):
        render_doc(random_report(random.Random(1)))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_render_doc_with_libreoffice() -> None:
    report = random_report(random.Random(2), template="2021")
    data = render_doc(report)
    assert data.startswith(bytes.fromhex("d0cf11e0a1b11ae1"))
    assert report.title.encode("utf-16-le") in data
    assert report.agency.encode("utf-16-le") in data


# --- realism against the real reports in ../shared/seeds ---------------------------------

SEEDS = Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds"
_FOLD = str.maketrans("（），：", "(),:")


def _fold(text: str) -> str:
    return re.sub(r"\s", "", text).translate(_FOLD)


def _seed_texts() -> list[str]:
    if not SEEDS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI run without the seed reports in {SEEDS}")
        pytest.skip(f"no seed reports at {SEEDS}")
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def test_every_table_label_is_one_real_reports_use() -> None:
    seeds = _fold("\n".join(_seed_texts()))
    for template in ("2019", "2021"):
        for variant in (0, 1):
            report = dataclasses.replace(
                random_report(random.Random(0), template=template), layout_seed=variant
            )
            for grid in (applications_grid(report), active_disclosure_grid(report)):
                for _, _, cell in grid.placed():
                    if cell.text and not cell.value:
                        assert _fold(cell.text) in seeds, cell.text
    for heading in (
        "一、总体情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "六、其他需要报告的事项",
    ):
        assert heading in seeds


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    template=st.sampled_from(["2019", "2021"]),
    consistent=st.booleans(),
    blanks=st.sampled_from([0.0, 0.05, 0.3]),
)
def test_property_checks_hold_exactly_when_asked(
    seed: int, template: str, consistent: bool, blanks: float
) -> None:
    report = random_report(
        random.Random(seed), template=template, consistent=consistent, blank_probability=blanks
    )
    assert (_violations(report) == []) is consistent
    grid = _expand(lxml.html.fromstring(render_html(report)).xpath("//table")[1])
    body = [row[3:] for row in grid[3:]]
    expected = [[report.applications[r][c] for c in APPLICANT_COLUMNS] for r in report.applications]
    assert [[int(x) if x else None for x in row] for row in body] == expected
