"""Agency, year and date come from the report's meaning, never from the page's chrome.

Pages saved with their site's navigation (breadcrumbs, 标题：/正文 labels, 发布机构 fields)
and text versions must give the agency of the report, and say which source decided."""

from __future__ import annotations

import random

import pytest

from crawler.parsing import parse_bytes
from crawler.reports.identity import clean_title, decide, is_chrome, plausible_agency, publisher
from crawler.testbed.reportgen import random_report, render_html, render_text

CHROME_TOP = (
    '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a>政务公开</a> &gt; <a>政府信息公开年报</a></div>'
    '<div class="tools">【字号：大 中 小】 【打印】 【关闭】</div>'
)


def _page(body: str, head_title: str = "政府信息公开") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{head_title}</title></head>"
            f"<body>{body}</body></html>").encode()


@pytest.mark.parametrize("seed", range(6))
def test_breadcrumb_ending_in_the_title(seed: int) -> None:
    report = random_report(random.Random(seed))
    crumb = f'<div>当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报 &gt; {report.title}</div>'
    outcome = parse_bytes(_page(crumb + render_html(report)), filename="r.html", isolate=False)
    assert outcome.record is not None
    assert (outcome.record["agency"], outcome.record["year"]) == (report.agency, report.year)
    assert outcome.record["identity"]["agency"] == "title"


@pytest.mark.parametrize("seed", range(6))
def test_title_label_and_chrome_words(seed: int) -> None:
    report = random_report(random.Random(seed))
    html = render_html(report).replace(f"<h1>{report.title}</h1>", f"<p>标题：{report.title}</p><p>正文</p>")
    outcome = parse_bytes(_page(CHROME_TOP + html), filename="r.html", isolate=False)
    assert outcome.record is not None
    assert outcome.record["agency"] == report.agency
    assert outcome.record["title"] == report.title


@pytest.mark.parametrize("seed", range(6))
def test_title_without_agency_under_a_chrome_word(seed: int) -> None:
    """正文 just above "2021年政府信息公开工作年度报告" is not the agency: 发布机构 or the signature is."""
    report = random_report(random.Random(seed))
    bare = report.title[len(report.agency):]
    html = render_html(report).replace(f"<h1>{report.title}</h1>", f"<p>正文</p><h1>{bare}</h1>")
    outcome = parse_bytes(_page(CHROME_TOP + html), filename="r.html", isolate=False)
    assert outcome.record is not None
    assert outcome.record["agency"] == report.agency
    assert outcome.record["identity"]["agency"] == "signature"
    assert outcome.record["year"] == report.year
    fielded = parse_bytes(_page(CHROME_TOP + f"<p>发布机构：{report.agency}</p>" + html),
                          filename="r.html", isolate=False)
    assert fielded.record is not None
    assert (fielded.record["agency"], fielded.record["identity"]["agency"]) == (report.agency, "publisher")


def test_text_version_with_labels() -> None:
    report = random_report(random.Random(3))
    text = "当前位置：首页>政务公开>年度报告\n标题:" + render_text(report)
    outcome = parse_bytes(text.encode(), filename="r.txt", isolate=False)
    assert outcome.record is not None
    assert outcome.record["agency"] == report.agency
    assert outcome.record["identity"] == {"agency": "title", "year": "title", "published_on": "signature"}


def test_rules() -> None:
    assert clean_title("当前位置：首页>政务公开>XX市财政局2021年政府信息公开工作年度报告") == \
        "XX市财政局2021年政府信息公开工作年度报告"
    assert clean_title("标题:XX县人民政府2020年度政府信息公开工作年度报告.pdf") == \
        "XX县人民政府2020年度政府信息公开工作年度报告"
    assert is_chrome("正文") and is_chrome("【打印】") and is_chrome("当前位置：首页 > 政务公开")
    assert not is_chrome("平罗县科学技术局")
    assert plausible_agency("平罗县科学技术局") and plausible_agency("石嘴山高新技术产业开发区管理委员会")
    assert not plausible_agency("正文") and not plausible_agency("当前位置：首页>政务公开")
    assert publisher(["索引号：123 发布机构：固原市生态环境局 发文日期：2022-01-20"]) == "固原市生态环境局"
    unusual = decide([("title", "中国人民银行银川中心支行2021年政府信息公开工作年度报告")])
    assert (unusual.agency, unusual.agency_source) == ("中国人民银行银川中心支行", "title")
    decided = decide([("metadata", None), ("title", "正文2021年政府信息公开工作年度报告")],
                     [("signature", "银川市民政局")])
    assert (decided.agency, decided.agency_source, decided.year, decided.year_source) == \
        ("银川市民政局", "signature", 2021, "title")
