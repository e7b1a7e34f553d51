"""Who issued a report, for which year: read from the document's meaning, never its chrome.

Saved pages and text versions carry their site's navigation ("当前位置：首页>政务公开>…"),
field labels ("标题：…", "发布机构：…") and words like 正文 or 打印 next to the report's own
title. :func:`clean_title` strips them, :func:`is_chrome` recognises a line that is only
chrome, :func:`plausible_agency` accepts a name only when it reads like an issuing body, and
:func:`decide` takes the first plausible candidate in a fixed order of sources, saying which
one decided.

What an issuing body's name looks like is one rule for the parser and the spider:
:func:`crawler.reports.page_identity.is_agency_name`; the report words and the year are
:mod:`crawler.reports.titles`'.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.reports.page_identity import compact, is_agency_name
from crawler.reports.titles import REPORT_CORE, YEAR

#: Words of site chrome: breadcrumbs, field labels, toolbar buttons.
CHROME_WORDS = (
    "当前位置", "您的位置", "您现在的位置", "所在位置", "首页", "正文", "标题", "题名", "名称", "文章标题",
    "来源", "信息来源", "发布时间", "发布日期", "成文日期", "索引号", "字号", "打印", "关闭", "分享",
    "收藏", "浏览次数", "访问量", "大中小", "主题分类", "发文字号", "【", "】",
)
_BREADCRUMB = re.compile(r"^.*(?:[>＞»›→]|&gt;)\s*")
_LABEL = re.compile(
    r"^(?:当前位置|您的位置|您现在的位置|所在位置|文章标题|标题|题名|名称|正文|信息名称|文件名称)[:：]?\s*"
)
_FIELD = re.compile(r"(?:发布机构|发文机关|发布单位|发布部门|信息来源|来源)[:：]\s*([^\s|｜:：]{2,40})")
_YEAR = YEAR
_REPORT = REPORT_CORE
_nfkc = compact


def clean_title(text: str) -> str:
    """A title without the breadcrumb before it, field labels, quotes and file extensions."""
    t = _nfkc(text)
    if _REPORT.search(t):
        t = _BREADCRUMB.sub("", t[: _REPORT.search(t).end()]) + t[_REPORT.search(t).end():]  # type: ignore[union-attr]
    previous = None
    while previous != t:
        previous = t
        t = _LABEL.sub("", t)
    t = re.sub(r"\.(?:pdf|docx?|wps|html?)$", "", t, flags=re.I)
    return t.strip("《》“”\"'[]【】:：-_|")


def is_chrome(text: str) -> bool:
    """A line that is only navigation or page furniture (正文, 打印, a breadcrumb, a field label)."""
    t = _nfkc(text)
    if not t:
        return True
    if t in CHROME_WORDS or re.fullmatch(r"[【\[]?(?:" + "|".join(CHROME_WORDS[:-2]) + r")[】\]]?[:：]?", t):
        return True
    return bool(re.match(r"^(?:当前位置|您的位置|您现在的位置|所在位置)", t) or re.search(r"首页\s*[>＞»›]", t))


def plausible_agency(name: str | None) -> bool:
    """A name that reads like an issuing body (the shared rule: ends like one, no chrome words,
    no report words, no digits or paths; see ``page_identity.is_agency_name``)."""
    return is_agency_name(name)


@dataclass(frozen=True)
class Identity:
    """Agency and year, and which source decided each (None when no source had one)."""

    agency: str | None
    year: int | None
    agency_source: str | None
    year_source: str | None


def title_parts(title: str | None) -> tuple[str | None, int | None]:
    """Agency and year of a report title (cleaned first)."""
    if not title:
        return None, None
    t = clean_title(title)
    report = _REPORT.search(t)
    head = t[: report.start()] if report else t
    years = list(_YEAR.finditer(head))
    if not years:
        years = list(_YEAR.finditer(t))
        if not years:
            return None, None
    match = years[-1]
    year = int(match.group(1))
    agency = (head[: match.start()] if match.start() < len(head) else head).strip("《》“”\"' ：:")
    agency = re.sub(r"^关于|关于$", "", agency)
    if not agency and report is not None:  # "2021年XX局政府信息公开工作年度报告"
        agency = head[match.end():]
    return (agency or None), year


_NEXT_FIELD = re.compile(r"(?:发文日期|发布日期|成文日期|发布时间|主题分类|索引号|文号|生成日期).*$")


def publisher(lines: Sequence[str]) -> str | None:
    """The issuing body named by a page's field (发布机构：XX局), if plausible."""
    for line in lines:
        for m in _FIELD.finditer(unicodedata.normalize("NFKC", line)):
            name = _NEXT_FIELD.sub("", m.group(1))
            if plausible_agency(name):
                return name
    return None


def decide(candidates: Sequence[tuple[str, str | None]], extra_agencies: Sequence[tuple[str, str | None]] = ()) -> Identity:
    """The first plausible agency and the first year among titles, in order of trust.

    ``candidates`` are (source, title) pairs, e.g. ("title", the document's title line),
    ("metadata", the crawl's title), ("page_title", an HTML <title>); ``extra_agencies`` are
    (source, name) pairs tried after them (("publisher", 发布机构), ("signature", the name
    above the signature date)).
    """
    agency = agency_source = None
    year = year_source = None
    for source, title in candidates:
        name, found_year = title_parts(title)
        if year is None and found_year is not None:
            year, year_source = found_year, source
        if agency is None and plausible_agency(name):
            agency, agency_source = name, source
    for source, name in extra_agencies:
        if agency is None and name and plausible_agency(_nfkc(name)):
            agency, agency_source = _nfkc(name), source
    if agency is None:  # a title's name with an unusual ending, as long as it is not chrome
        for source, title in candidates:
            name, _ = title_parts(title)
            if name and len(name) <= 40 and not is_chrome(name) and not any(
                    w in name for w in ("当前位置", "首页", "正文", "标题", "来源", ">", "＞")):
                agency, agency_source = name, source
                break
    return Identity(agency, year, agency_source, year_source)
