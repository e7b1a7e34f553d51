"""Recognise annual reports by their titles, and score links by how likely they lead to one.

Plain functions over strings: the spider calls them, tests call them without a crawl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: The official form's title, which follows the agency and year in every report title.
FORM_TITLE = "政府信息公开工作年度报告"
_SPACES = re.compile(r"[\s\u3000\xa0]+")
#: The report words of a title (政府信息公开工作年度报告 and its variants); the year before them.
REPORT_CORE = re.compile(r"政府信息公开(?:工作)?年度?报告|政务公开(?:工作)?年度报告|信息公开(?:工作)?年度报告")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_REPORT_CORE = REPORT_CORE
_YEAR = YEAR
#: Words that mark a title as a notice *about* reports, not a report.
_NOT_REPORT = re.compile(
    r"关于(?:做好|开展|印发|报送|编制|发布|认真|进一步|组织)|通知|要点|解读|图解|公告|函|方案|"
    r"评估|考核|检查|通报|模板|格式|说明|培训|会议|工作安排|征集|意见"
)
#: The subset that may precede the report words: not 培训/评估/检查…, which name agencies
#: ("XX市职业技能培训中心2021年政府信息公开工作年度报告").
_NOTICE_BEFORE = re.compile(
    r"关于(?:做好|开展|印发|报送|编制|发布|认真|进一步|组织)|通知|要点|解读|图解|模板|格式|通报"
)
_FILE_EXTENSION = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|et|ofd|zip|rar|html?)$", re.I)
#: A bracketed or dash-led tail ("（PDF）", "-XX县人民政府"); a bracket run stops at the next
#: bracket, so a title of many opening brackets is read in linear time.
_TRAILING_NOISE = re.compile(r"[（(][^（()）]*[）)]$|[-_|].*$")
#: Titles are read up to this many characters (longer text is not a title but a page).
MAX_TITLE_CHARS = 500
#: Words that suggest a link or page leads towards reports.
_LINK_HINTS: tuple[tuple[str, int], ...] = (
    ("年度报告", 60),
    ("年报", 50),
    ("zfxxgknb", 60),
    ("xxgknb", 50),
    ("gknb", 40),
    ("ndbg", 40),
    ("政府信息公开", 30),
    ("信息公开", 20),
    ("政务公开", 20),
    ("zfxxgk", 25),
    ("xxgk", 20),
    ("zwgk", 15),
    ("gkml", 10),
    ("公开目录", 10),
)
_LINK_PENALTIES: tuple[tuple[str, int], ...] = (
    ("calendar", -40),
    ("日历", -40),
    ("login", -30),
    ("登录", -30),
    ("search", -20),
    ("搜索", -20),
)


def normalize_space(text: str) -> str:
    """Collapse every run of white space (including full-width and nbsp) to nothing."""
    return _SPACES.sub("", text or "")


@dataclass(frozen=True)
class ReportTitle:
    """What a report title says: the issuing agency (if named) and the year reported on."""

    title: str
    agency: str | None
    year: int


def parse_report_title(title: str) -> ReportTitle | None:
    """Return agency and year when ``title`` names an annual report, else None.

    A notice about reports ("关于做好2021年政府信息公开工作年度报告编制工作的通知") is not one.
    """
    compact = _FILE_EXTENSION.sub("", normalize_space((title or "")[: MAX_TITLE_CHARS * 4]))
    compact = compact[:MAX_TITLE_CHARS]
    compact = _TRAILING_NOISE.sub("", compact) if _REPORT_CORE.search(compact) else compact
    core = _REPORT_CORE.search(compact)
    if core is None:
        return None
    before, after = compact[: core.start()], compact[core.end() :]
    if _NOTICE_BEFORE.search(before) or _NOT_REPORT.search(after):
        return None
    year_match = None
    for match in _YEAR.finditer(before):
        year_match = match
    if year_match is None:
        return None
    year = int(year_match.group(1))
    agency = (before[: year_match.start()] + before[year_match.end() :]).strip("《》“”\"' ：:")
    agency = re.sub(r"^关于|关于$", "", agency)
    return ReportTitle(title=compact, agency=agency or None, year=year)


def agency_and_year(title: str | None) -> tuple[str | None, int | None]:
    """From a title such as 平罗县科学技术局2021年政府信息公开工作年度报告."""
    if not title:
        return None, None
    match = _YEAR.search(title)
    if not match:
        return None, None
    year = int(match.group(1))
    before = title[: match.start()]
    before = re.sub(r"(关于)?$", "", before).strip("《》“”\"' ")
    if not before:
        after = title[match.end() :]
        cut = after.find("政府信息公开")
        before = after[:cut] if cut > 0 else ""
    return (before or None), year


def is_report_notice(title: str) -> bool:
    """True when a title mentions annual reports but is a notice, plan or reading about them."""
    compact = normalize_space(title)
    return bool(_REPORT_CORE.search(compact) or "年报" in compact) and (
        parse_report_title(compact) is None
    )


@lru_cache(maxsize=8192)  # a portal's pages repeat their navigation links
def link_score(url: str, text: str) -> int:
    """Priority of a link (higher is crawled sooner), from its URL and anchor text."""
    text = text[: MAX_TITLE_CHARS * 4]
    haystack = f"{url[:4096]} {normalize_space(text)}".lower()
    score = sum(weight for word, weight in _LINK_HINTS if word.lower() in haystack)
    score += sum(weight for word, weight in _LINK_PENALTIES if word.lower() in haystack)
    if parse_report_title(text):
        score += 100
    return score


_TABLE_MARKERS = ("收到和处理政府信息公开申请情况", "主动公开政府信息情况")
_TABLE_MARKERS_LOOSE = ("本年新收政府信息公开申请数量", "行政复议", "予以公开")


def has_report_body(text: str) -> bool:
    """True when page text carries the report itself (its standard tables, or the old
    政府信息公开情况统计表 of pre-2019 reports), not just a link."""
    from crawler.reports.page_identity import is_pre2019_body

    compact = normalize_space(text)
    strong = sum(marker in compact for marker in _TABLE_MARKERS)
    loose = sum(marker in compact for marker in _TABLE_MARKERS_LOOSE)
    return (strong >= 1 and loose >= 2) or is_pre2019_body(compact)
