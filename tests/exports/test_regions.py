"""region_of: the administrative area read from an agency's name."""

from __future__ import annotations

import pytest

from crawler.reports.regions import UNKNOWN_REGION, in_region, region_of
from crawler.testbed.reportgen import corpus
from crawler.testbed.synthetic_archive import agency_pool


@pytest.mark.parametrize(("agency", "region"), [
    ("固原市原州区科学技术局", "固原市原州区"),
    ("宁夏回族自治区财政厅", "宁夏回族自治区"),
    ("平罗县姚伏镇人民政府", "平罗县"),  # a township belongs to its county
    ("银川市人民政府办公室", "银川市"),
    ("石嘴山市城市管理局", "石嘴山市"),  # 城市 is not a unit
    ("平罗县市场监督管理局", "平罗县"),
    ("济南市市中区司法局", "济南市市中区"),
    ("广州市越秀区教育局", "广州市越秀区"),  # 广州市, not 广州 + 市…
    ("荆州市荆州区民政局", "荆州市荆州区"),
    ("北京市海淀区人民政府", "北京市海淀区"),
    ("河南省平顶山市卫东区财政局", "河南省平顶山市卫东区"),
    ("内蒙古自治区阿拉善盟阿拉善左旗民政局", "内蒙古自治区阿拉善盟阿拉善左旗"),
    ("新疆维吾尔自治区巴音郭楞蒙古自治州和静县统计局", "新疆维吾尔自治区巴音郭楞蒙古自治州和静县"),
    ("贵州省黔南布依族苗族自治州都匀市人民政府", "贵州省黔南布依族苗族自治州都匀市"),
    ("西藏自治区阿里地区噶尔县教育局", "西藏自治区阿里地区噶尔县"),
    ("海东市民和回族土族自治县财政局", "海东市民和回族土族自治县"),
    ("中共固原市委办公室", "固原市"),
    ("吴忠市公安局利通区分局", "吴忠市"),  # stops at the bureau
    ("石嘴山高新技术产业开发区管理委员会", "石嘴山高新技术产业开发区"),
    ("宁夏吴忠金积工业园区管委会", "宁夏吴忠金积工业园区"),
    ("灵武市 自然资源局", "灵武市"),  # spaces ignored
    ("国家统计局", UNKNOWN_REGION),
    ("", UNKNOWN_REGION),
])
def test_region_of(agency: str, region: str) -> None:
    assert region_of(agency) == region


def test_every_generated_agency_has_a_region_that_prefixes_it() -> None:
    names = [a.name for a in agency_pool()] + list(corpus.agencies())
    for name in names:
        region = region_of(name)
        assert region, name
        assert name.startswith(region), (name, region)
        assert len(region) < len(name), name


def test_in_region_matches_the_area_and_what_lies_inside() -> None:
    assert in_region("固原市原州区科学技术局", "固原市")
    assert in_region("固原市原州区科学技术局", "固原市原州区")
    assert not in_region("固原市原州区科学技术局", "原州区")
    assert not in_region("西吉县教育局", "固原市")  # the name does not say so
    assert not in_region("国家统计局", "")
