"""Report identity and version differences (crawler.reports.versions), deadlines, list-page URLs."""

from __future__ import annotations

import datetime

import pytest

from crawler.discovery.urls import looks_like_list
from crawler.reports.changes import Deadlines
from crawler.reports.versions import diff_records, fingerprint, is_government, normalize_agency


@pytest.mark.parametrize(("name", "key"), [
    (" 某某市 政府办公室 ", "某某市人民政府办公室"),
    ("某某县政府", "某某县人民政府"),
    ("某某市人民政府", "某某市人民政府"),
    ("某某市\u3000教育局\u200b", "某某市教育局"),
    ("ＸＸ市财政局", "XX市财政局"),  # full-width letters (NFKC)
])
def test_normalize_agency(name: str, key: str) -> None:
    assert normalize_agency(name) == key


def test_government_reports_have_the_later_deadline() -> None:
    assert is_government("某市政府") and not is_government("某市人民政府办公室")
    assert Deadlines().for_agency("某市人民政府", 2024) == datetime.date(2025, 3, 31)
    assert Deadlines().for_agency("某市教育局", 2024) == datetime.date(2025, 1, 31)
    assert Deadlines(department=(2, 28)).for_agency("某市教育局", 2024) == datetime.date(2025, 2, 28)


def _record(granted: int | None, overview: str = "一段 文字") -> dict[str, object]:
    return {"agency": "某市教育局", "year": 2024,
            "applications": {"granted": {"total": granted, "natural_person": 1}},
            "sections": {"overview": overview, "problems": "", "other": ""}}


def test_numbers_that_differ_are_listed_and_blanks_are_not_changes() -> None:
    diff = diff_records(_record(5), _record(7), compare_text=False)
    assert diff.numbers == [{"table": "applications", "row": "granted", "column": "total",
                             "old": 5, "new": 7}]
    assert diff.summary() == "1 number"
    assert not diff_records(_record(5), _record(None), compare_text=False).changed


def test_text_is_compared_only_when_asked_and_white_space_is_not_content() -> None:
    assert not diff_records(_record(5, "一段 文字"), _record(5, "一段文字\n"), compare_text=True).changed
    changed = diff_records(_record(5, "一段文字"), _record(5, "另一段文字"), compare_text=True)
    assert [t["section"] for t in changed.text] == ["overview"]
    assert "+另一段文字" in changed.text[0]["diff"]
    assert not diff_records(_record(5, "一段文字"), _record(5, "另一段文字"), compare_text=False).changed


def test_fingerprint_follows_content_not_layout() -> None:
    assert fingerprint(_record(5, "一段 文字")) == fingerprint(_record(5, "一段文字"))
    assert fingerprint(_record(5)) != fingerprint(_record(6))


@pytest.mark.parametrize(("url", "is_list"), [
    ("http://x.gov.cn/", True),
    ("http://x.gov.cn/zwgk/zfxxgknb/index_3.html", True),
    ("http://x.gov.cn/col/col1300/index.html", True),
    ("http://x.gov.cn/news/list.jsp?pageNo=2", True),
    ("http://x.gov.cn/zwgk/zfxxgknb/202303/t20230326_1982286.html", False),
    ("http://x.gov.cn/files/report.pdf", False),
])
def test_list_pages_are_told_from_detail_pages(url: str, is_list: bool) -> None:
    assert looks_like_list(url) is is_list
