"""Find the tables of sections 二, 三 and 四 by what they are, not by the heading above them.

A table announces itself by its header cells and row labels: 第二十条第（一）项 and 信息内容
(二), 申请人情况 / 自然人 with 商业企业 (三), 行政复议 beside 行政诉讼 or 结果维持/结果纠正/尚未审结
(四). When a section's heading was not recognised (reworded, mistyped, missing), the first
line of its table starts the section instead.
"""

from __future__ import annotations

from collections.abc import Callable

from crawler.parsing.layout import Line

_REVIEW_RESULTS = ("结果维持", "结果纠正", "尚未审结")


def _active(line: Line) -> bool:
    k = line.key
    return len(k) <= 60 and ("第二十条第" in k or (
        "信息内容" in k and any(w in k for w in ("新制作", "制发", "新公开", "废止"))))


def _applications(line: Line) -> bool:
    k = line.key
    if len(k) > 80:
        return False
    return ("申请人情况" in k and len(k) <= 40) or ("自然人" in k and ("商业企业" in k or "法人或其他组织" in k))


def _review(line: Line) -> bool:
    k = line.key
    if len(k) > 120:
        return False
    both = "行政复议" in k and "行政诉讼" in k and len(line.cells) > 1
    return both or sum(w in k for w in _REVIEW_RESULTS) >= 2


SIGNS: dict[str, Callable[[Line], bool]] = {
    "active": _active, "applications": _applications, "review": _review,
}


def table_starts(lines: list[Line], starts: dict[str, int]) -> tuple[dict[str, int], list[str]]:
    """Section starts completed with the tables found by their cells, and notes on what was added.

    A start is the index of the line *before* the section's first line, as for headings.
    """
    out = dict(starts)
    notes: list[str] = []
    for name, sign in SIGNS.items():
        if name in out:
            continue
        lower = max((i for n, i in out.items() if _before(n, name)), default=-1)
        for i in range(lower + 1, len(lines)):
            if sign(lines[i]):
                out[name] = i - 1
                notes.append(f"section {_NUMERAL[name]} heading not recognised; its table was found by its cells")
                break
    return out, notes


_ORDER = ("overview", "active", "applications", "review", "problems", "other")
_NUMERAL = {"active": "二", "applications": "三", "review": "四"}


def _before(a: str, b: str) -> bool:
    return _ORDER.index(a) < _ORDER.index(b)
