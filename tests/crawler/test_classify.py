"""Report titles, link scores and report bodies."""

from __future__ import annotations

import pytest

from crawler.reports.titles import has_report_body, is_report_notice, link_score, parse_report_title

#: Titles of the five seed reports, copied from their first lines.
SEED_TITLES = [
    (
        "石嘴山高新技术产业开发区管理委员会 2021 年政府信息公开工作年度报告",
        "石嘴山高新技术产业开发区管理委员会",
        2021,
    ),
    (
        "平顶山高新技术产业开发区管理委员会2021年政府信息公开工作年度报告",
        "平顶山高新技术产业开发区管理委员会",
        2021,
    ),
    (
        "宁夏吴忠金积工业园区管委会 2023 年政府信息公开工作年度报告",
        "宁夏吴忠金积工业园区管委会",
        2023,
    ),
    ("海东工业园区 2021 年政府信息公开 工作年度报告", "海东工业园区", 2021),
    ("平罗县科学技术局 2021 年政府信息公开 工作年度报告", "平罗县科学技术局", 2021),
]
VARIANTS = [
    ("2021年度XX市政府信息公开工作年度报告", "XX市", 2021),
    ("XX市2021年度政府信息公开工作年度报告", "XX市", 2021),
    ("《XX市2021年政府信息公开工作年度报告》", "XX市", 2021),
    ("XX县\u30002022 年\xa0政府信息公开工作年度报告", "XX县", 2022),
    ("XX县2021年政府信息公开工作年度报告-XX县人民政府", "XX县", 2021),
    ("XX县2021年政府信息公开工作年度报告_XX县人民政府门户网站", "XX县", 2021),
    ("XX县2021年政府信息公开工作年度报告(附件)", "XX县", 2021),
    ("XX县2021年政府信息公开工作年度报告（附件）", "XX县", 2021),
    ("XX市教育局关于2021年政府信息公开工作年度报告", "XX市教育局", 2021),
    ("XX市职业技能培训中心2021年政府信息公开工作年度报告", "XX市职业技能培训中心", 2021),
    ("XX市环境评估中心2021年政府信息公开工作年度报告", "XX市环境评估中心", 2021),
]
NOTICES = [
    "关于做好2021年政府信息公开工作年度报告编制工作的通知",
    "2022年政务公开工作要点",
    "关于XX2021年政府信息公开工作年度报告的解读",
    "XX市2021年政府信息公开工作年度报告图解",
    "图解：XX市2021年政府信息公开工作年度报告",
    "XX市关于印发2021年政府信息公开工作年度报告模板的通知",
]


@pytest.mark.parametrize(("title", "agency", "year"), SEED_TITLES + VARIANTS)
def test_parse_report_title(title: str, agency: str, year: int) -> None:
    parsed = parse_report_title(title)
    assert parsed is not None
    assert (parsed.agency, parsed.year) == (agency, year)
    assert "年度报告" in parsed.title and " " not in parsed.title


@pytest.mark.parametrize("title", NOTICES)
def test_notices_are_not_reports(title: str) -> None:
    assert parse_report_title(title) is None


def test_is_report_notice() -> None:
    assert is_report_notice(NOTICES[0])
    assert is_report_notice(NOTICES[2])
    assert not is_report_notice(SEED_TITLES[0][0])
    assert not is_report_notice("关于开展植树节活动的通知")


def test_parse_report_title_without_year_or_core() -> None:
    assert parse_report_title("XX市政府信息公开工作年度报告") is None
    assert parse_report_title("XX市2021年国民经济和社会发展统计公报") is None


def test_link_score_orders_report_paths_first() -> None:
    report = link_score("http://x.gov.cn/art/1.html", "XX县2021年政府信息公开工作年度报告")
    column = link_score("http://x.gov.cn/zwgk/zfxxgknb/index.html", "政府信息公开年报")
    xxgk = link_score("http://x.gov.cn/xxgk/index.html", "信息公开")
    news = link_score("http://x.gov.cn/news/index.html", "新闻动态")
    calendar = link_score("http://x.gov.cn/calendar?month=3", "日历")
    assert column > xxgk > news > calendar
    assert report > xxgk
    assert report > link_score("http://x.gov.cn/art/2.html", "XX县2021年国民经济统计公报")
    assert link_score("http://x.gov.cn/tz.html", NOTICES[0]) < report


BODY = (
    "一、总体情况 二、主动公开政府信息情况 三、收到和处理政府信息公开申请情况 "
    "本年新收政府信息公开申请数量 3 予以公开 2 四、政府信息公开行政复议、行政诉讼情况"
)


def test_has_report_body() -> None:
    assert has_report_body(BODY)
    assert has_report_body(BODY.replace(" ", "\u3000"))
    assert not has_report_body("点击下载：XX县2021年政府信息公开工作年度报告.pdf")
    assert not has_report_body("主动公开政府信息情况 行政复议")
