"""The document's outline: title, agency, year, signature date and the six sections."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from crawler.parsing.labels import heading_name
from crawler.parsing.layout import Line, key
from crawler.reports.identity import is_chrome
from crawler.reports.titles import FORM_TITLE

#: Section names in order, with the words of their headings.
SECTION_HEADINGS: tuple[tuple[str, str], ...] = (
    ("overview", r"总体情况|概述$"),
    ("active", r"主动公开政府信息"),
    ("applications", r"收到和处理政府信息公开申请|收到和处理.{0,4}申请"),
    ("review", r"行政复议.{0,4}行政诉讼|复议.{0,2}诉讼"),
    ("problems", r"存在的主要问题|主要问题及改进"),
    ("other", r"其他需要报告"),
)
_NUMERAL = re.compile(r"^(第[一二三四五六七八九十]{1,2}部分|[一二三四五六七八九十]{1,2}[、.．,，:：]?)")
_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
_CN_DATE = re.compile(r"([〇○零一二三四五六七八九]{4})年([〇○零一二三四五六七八九十]{1,3})月([〇○零一二三四五六七八九十]{1,3})日")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
_PAGE_FURNITURE = re.compile(r"^[-—–_]+\d+[-—–_]+$|^第\d+页(共\d+页)?$|^\d+/\d+$")


@dataclass
class Outline:
    """Where each section starts (line index), and the title found."""

    starts: dict[str, int]
    title: str | None
    title_index: int | None


def is_furniture(line: Line) -> bool:
    """A page number such as "— 2 —" printed inside the text."""
    return bool(_PAGE_FURNITURE.match(line.key))


def find_outline(lines: list[Line]) -> Outline:
    """Headings of the six sections (in order) and the report title."""
    starts: dict[str, int] = {}
    position = 0
    for name, words in SECTION_HEADINGS:
        pattern = re.compile(words)
        for i in range(position, len(lines)):
            k = lines[i].key
            numeral = _NUMERAL.match(k)
            if lines[i].in_table or len(k) > 40 or not numeral:
                continue
            bare = numeral.group(0)[-1] in "一二三四五六七八九十"  # no 、 after the numeral
            rest = k[len(numeral.group(0)) :]
            if bare and (len(k) > 20 or not rest or rest[0] in "是要些个年般项方"):
                continue
            if pattern.search(k) or (not bare and heading_name(rest, (name,)) == name):
                starts[name] = i
                position = i + 1
                break
    first_heading = min(starts.values(), default=len(lines))
    title, index = _find_title(lines[: max(first_heading, 1) + 1][:30])
    return Outline(starts, title, index)


_TRUNCATED_TITLE = re.compile(r"政府信息公开工作(年(度(报)?)?)?$")


def _find_title(lines: list[Line]) -> tuple[str | None, int | None]:
    """The first short line naming the annual report, joined with its wrapped pieces."""
    for i, line in enumerate(lines):
        k = line.key
        if line.in_table or len(k) > 60 or re.search(r"[《〈》〉>»›]|通知|条例|当前位置|您的位置|所在位置", k):
            continue
        if "政府信息公开" not in k and "年度报告" not in k:
            continue
        joined, j = k, i + 1
        while not joined.endswith("报告") and j < len(lines) and j <= i + 2 and 0 < len(lines[j].key) <= 12:
            joined += lines[j].key
            j += 1
        if re.match(r"^(19|20)\d{2}年", joined) and i > 0 and 0 < len(lines[i - 1].key) <= 30 \
                and not is_chrome(lines[i - 1].key):
            joined = lines[i - 1].key + joined  # the agency on the line above
        if not re.search(r"政府信息公开", joined) or len(joined) > 80:
            continue
        cut = _TRUNCATED_TITLE.search(joined)
        if cut:  # a wrapped last character lost by the extractor: the form's title is fixed
            joined = joined[: cut.start()] + FORM_TITLE
        if "报告" in joined:
            return joined, i
    return None, None


def section_ranges(outline: Outline, n_lines: int) -> dict[str, tuple[int, int]]:
    """Line ranges (start after the heading, end before the next heading) per section."""
    ordered = sorted(outline.starts.items(), key=lambda kv: kv[1])
    ranges: dict[str, tuple[int, int]] = {}
    for j, (name, start) in enumerate(ordered):
        end = ordered[j + 1][1] if j + 1 < len(ordered) else n_lines
        ranges[name] = (start + 1, end)
    return ranges


def parse_date(text: str) -> datetime.date | None:
    """The last date written as 2022年1月5日 (or 二〇二二年一月五日) in the text."""
    k = key(text)
    found = _DATE.findall(k)
    try:
        if found:
            y, m, d = found[-1]
            return datetime.date(int(y), int(m), int(d))
        cn = _CN_DATE.findall(k)
        if cn:
            y, m, d = cn[-1]
            return datetime.date(_cn_number(y, digits=True), _cn_number(m), _cn_number(d))
    except ValueError:
        return None
    return None


def _cn_number(text: str, *, digits: bool = False) -> int:
    if digits:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text]


def signature(lines: list[Line], start: int) -> tuple[datetime.date | None, int]:
    """The signature date near the end and the index where the signature block begins.

    The date is a short line of its own among the last few lines (attachments may follow).
    """
    checked = 0
    end = len(lines)
    while end > start and checked < 6:
        k = lines[end - 1].key
        if not k:
            end -= 1
            continue
        checked += 1
        day = parse_date(k) if len(k) <= 20 else None
        if day is not None:
            begin = end - 1
            above = begin - 1
            while above > start and not lines[above].key:
                above -= 1
            name = lines[above].key if above >= start else ""
            if above > start and name and len(name) <= 40 and not re.search(r"[。；;，,：:]", name):
                begin = above  # the issuing body's name just above the date
            return day, begin
        end -= 1
    return None, len(lines)


def section_text(lines: list[Line]) -> str:
    """Paragraphs of a prose section, one per line, furniture and blank lines dropped."""
    out = [line.text for line in lines if line.key and not is_furniture(line)]
    return "\n".join(out)
