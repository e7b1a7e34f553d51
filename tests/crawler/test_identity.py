"""Report identity from what a page means (title, opening, signature, column, site), never chrome."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.discovery.pages import Page
from crawler.reports.page_identity import (
    agency_from_opening,
    agency_from_signature,
    clean_agency,
    is_agency_name,
    is_pre2019_body,
    template_era,
)
from crawler.reports.titles import has_report_body, parse_report_title

FIXTURES = Path(__file__).parent.parent / "fixtures" / "identity"


def _page(name: str) -> Page:
    raw = (FIXTURES / name).read_bytes()
    return Page(f"http://www.example.gov.cn/{name}", raw.decode("utf-8"))


@pytest.mark.parametrize(("fixture", "agency", "year", "source"), [
    ("trs_city_title.html", "青川市", 2022, "title"),
    ("department_column_opening.html", "平川县科学技术局", 2023, "opening"),
    ("township_signature.html", "柳河镇人民政府", 2023, "signature"),
    ("labelled_heading.html", "东原市生态环境局", 2021, "title"),
    ("site_only.html", "东原市审计局", 2022, "site"),
    ("pre2019_report.html", "青川市民政局", 2017, "title"),
])
def test_identity_of_saved_pages_with_their_chrome(fixture: str, agency: str, year: int, source: str) -> None:
    identity = _page(fixture).report_identity()
    assert identity is not None
    assert (identity.agency, identity.year, identity.source) == (agency, year, source)


def test_pre2019_report_is_a_report_with_its_template() -> None:
    page = _page("pre2019_report.html")
    identity = page.report_identity()
    assert identity is not None and identity.template == "pre2019"
    assert has_report_body(page.text())
    assert is_pre2019_body(page.text())
    assert template_era(2018) == "pre2019" and template_era(2019) == "2019" and template_era(2023) == "2021"


def test_column_names_the_agency_when_the_text_does_not() -> None:
    html = (FIXTURES / "department_column_opening.html").read_text(encoding="utf-8")
    html = html.replace("现发布《平川县科学技术局2023年政府信息公开工作年度报告》", "现发布本报告")
    identity = Page("http://x.gov.cn/a.html", html).report_identity()
    assert identity is not None and (identity.agency, identity.source) == ("平川县科学技术局", "column")


def test_link_text_is_the_last_resort() -> None:
    html = "<html><head><title>2023年度政府信息公开工作年度报告</title></head><body><p>首页</p></body></html>"
    page = Page("http://x.gov.cn/a.html", html)
    identity = page.report_identity("白石县水利局2023年度政府信息公开工作年度报告")
    assert identity is not None and (identity.agency, identity.source) == ("白石县水利局", "link")
    bare = page.report_identity()
    assert bare is not None and (bare.agency, bare.source) == (None, None)


@pytest.mark.parametrize("name", [
    "平川县科学技术局", "柳河镇人民政府", "上海市", "宁夏吴忠金积工业园区管委会", "某某街道办事处",
    "国家能源局", "青川市人民政府办公厅", "某某高新技术产业开发区管理委员会",
])
def test_organisation_names(name: str) -> None:
    assert is_agency_name(name)


@pytest.mark.parametrize("name", [
    "当前位置：首页>政务公开", "首页", "正文", "标题:某某局", "/xxgk/ndbg/", "政府信息公开", "新闻中心",
    "下载中心", "年度报告", "www.x.gov.cn", "局", "网站地图", "2023年", "某某局>年度报告", "",
    "政务公开专栏", "主办单位：某某市人民政府",
])
def test_not_organisation_names(name: str) -> None:
    assert not is_agency_name(name)


def test_clean_agency_recovers_the_name_from_chrome() -> None:
    assert clean_agency("标题：东原市生态环境局") == "东原市生态环境局"
    assert clean_agency("首页>部门>东原市审计局") == "东原市审计局"
    assert clean_agency("平川县人民政府门户网站") == "平川县人民政府"
    assert clean_agency("首页>政务公开") is None


def test_opening_and_signature_rules() -> None:
    assert agency_from_opening("平川县民政局根据《条例》要求编制本报告。") == "平川县民政局"
    assert agency_from_opening("现发布《柳河镇人民政府2023年政府信息公开工作年度报告》。", 2023) == "柳河镇人民政府"
    assert agency_from_opening("现发布《柳河镇人民政府2023年政府信息公开工作年度报告》。", 2022) is None
    assert agency_from_signature(["正文", "柳河镇人民政府", "2024年1月20日"]) == "柳河镇人民政府"
    assert agency_from_signature(["正文", "柳河镇人民政府2024年1月20日"]) is None


@pytest.mark.parametrize("title", [
    "青川市2023年法治政府建设年度报告",
    "青川市统计局2023年统计年报",
    "关于青川市民政局2023年政府信息公开工作年度报告的解读",
    "青川市2024年政务公开工作要点",
    "关于做好2023年政府信息公开工作年度报告编制发布工作的通知",
    "图解：2023年政府信息公开工作年度报告",
])
def test_decoys_are_not_reports(title: str) -> None:
    assert parse_report_title(title) is None


def test_parse_command_reads_identity_past_the_chrome() -> None:
    """`govreports parse` on a saved page whose breadcrumb names another bureau."""
    from click.testing import CliRunner

    from crawler.cli.main import main

    result = CliRunner().invoke(main, ["parse", str(FIXTURES / "chrome_full_report.html"), "--json"])
    assert result.exit_code == 0, result.output
    import json

    record = json.loads(result.output)
    assert (record["agency"], record["year"]) == ("平川县水利局", 2023)
    assert record["identity"]["agency"] in ("opening", "signature")  # the parser's own rule
    page = _page("chrome_full_report.html").report_identity()
    assert page is not None and (page.agency, page.source) == ("平川县水利局", "opening")
