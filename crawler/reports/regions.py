"""The administrative area an agency belongs to, read from its name.

Heuristic (no gazetteer): after NFKC normalisation, spaces and a leading 中共/中国共产党
removed, the name is read from the left as up to three nested administrative units, each a
place name followed by a unit word:

- province level: 省, 自治区, 特别行政区 (and 北京市, 天津市, 上海市, 重庆市);
- prefecture level: 市, 自治州, 州, 地区, 盟;
- county level: 县, 自治县, 区, 旗, 自治旗, or a 市 inside a prefecture (县级市).

Reading stops after a county-level unit (so a township's office belongs to its county:
平罗县姚伏镇人民政府 → 平罗县), at the first part that is not a place (a bureau: 局, 委,
厅, 办…), or at words that only look like places (城市, 社区, 园区…). A ``X州`` followed
by 市/省/县/区 is one unit (广州市, 贵州省, 原州区). When no unit leads the name, a
development zone (…开发区, …园区, …高新区) counts as its own area. Otherwise the area is
unknown: :data:`UNKNOWN_REGION` (an empty string), e.g. for 国家统计局.

>>> region_of("固原市原州区科学技术局")
'固原市原州区'
>>> region_of("宁夏回族自治区财政厅")
'宁夏回族自治区'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

UNKNOWN_REGION = ""

_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
#: Unit words, longest first so 自治区 wins over 区; value: level (1 province … 3 county).
_UNIT_LEVELS: dict[str, int] = {
    "特别行政区": 1, "自治区": 1, "省": 1,
    "自治州": 2, "地区": 2, "州": 2, "盟": 2, "市": 2,
    "自治县": 3, "自治旗": 3, "县": 3, "旗": 3, "区": 3,
}
_UNIT = re.compile(
    r"(?P<name>.{1,12}?)(?P<unit>" + "|".join(sorted(_UNIT_LEVELS, key=len, reverse=True)) + ")"
)
#: Characters that never occur in a place name but do in bureaus and offices.
_NOT_PLACE = re.compile(r"[局委厅办府会院部处所室队站馆校司政党团组]|中心|公司|机关")
#: Words ending in a unit word that are not administrative units.
_FALSE_UNITS = ("城市", "都市", "超市", "社区", "小区", "景区", "辖区", "山区", "牧区",
                "片区", "街区", "灾区", "校区", "营区")
_ZONE_WORDS = ("开发区", "园区", "高新区", "示范区", "试验区", "保税区", "合作区")
_ZONE = re.compile(r"^(?P<zone>.{1,16}?(?:" + "|".join(_ZONE_WORDS) + "))")
_PARTY_PREFIX = re.compile(r"^(?:中国共产党|中共)")
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")


def _normalise(agency: str) -> str:
    text = _SPACE.sub("", unicodedata.normalize("NFKC", agency or ""))
    return _PARTY_PREFIX.sub("", text)


def _next_unit(text: str, start: int) -> tuple[str, int] | None:
    """The unit at ``text[start:]`` and its level, or None when no place starts there."""
    match = _UNIT.match(text, start)
    if match is None:
        return None
    name, unit = match["name"], match["unit"]
    end = match.end()
    if unit == "州" and end < len(text) and text[end] in "市省县区":
        unit, end = text[end], end + 1  # 广州市, 贵州省, 原州区: 州 belongs to the name
    whole = text[start:end]
    if _NOT_PLACE.search(name) or any(whole.endswith(w) for w in _FALSE_UNITS):
        return None
    if any(whole.endswith(w) for w in _ZONE_WORDS):
        return None
    level = 1 if whole in _MUNICIPALITIES else _UNIT_LEVELS[unit]
    return whole, level


@lru_cache(maxsize=65536)
def region_of(agency: str) -> str:
    """The administrative area of ``agency`` (see the module docstring), or ``""``."""
    text = _normalise(agency)
    parts: list[str] = []
    position, level = 0, 0
    while len(parts) < 3 and position < len(text):
        found = _next_unit(text, position)
        if found is None:
            break
        unit, unit_level = found
        if parts and unit_level <= level:
            if not (unit_level == 2 and level == 2):
                break
            unit_level = 3  # a 市 inside a prefecture is a 县级市
        parts.append(unit)
        position += len(unit)
        level = unit_level
        if level == 3:
            break
    if parts:
        return "".join(parts)
    zone = _ZONE.match(text)
    return zone["zone"] if zone else UNKNOWN_REGION


def in_region(agency: str, region: str) -> bool:
    """True when ``agency``'s area is ``region`` or lies inside it (a prefix of the area)."""
    wanted = _normalise(region)
    return bool(wanted) and region_of(agency).startswith(wanted)
