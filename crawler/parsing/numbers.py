"""Reading numbers and blanks out of table cells."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

Number = int | float

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
#: A number printed with its unit ("35.6万元", "12件"): the unit is kept apart, as printed.
_WITH_UNIT = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万元|元|万|件|个|项|次|条)$")
_BLANKS = frozenset({"", "-", "--", "—", "——", "–", "/", "\\", "无", "空", "null", "none", "N/A"})


@lru_cache(maxsize=4096)
def normalize_cell(text: str) -> str:
    """NFKC, no whitespace, no thousands separators."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(t.split())
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?(万元|元|万)?", t):
        t = t.replace(",", "")
    return t


def split_unit(text: str) -> tuple[str, str | None]:
    """The number part of a cell and the unit printed after it ("35.6万元" -> "35.6", "万元")."""
    t = normalize_cell(text)
    m = _WITH_UNIT.match(t)
    return (m.group(1), m.group(2)) if m else (t, None)


def is_blank(text: str) -> bool:
    """An empty cell or a dash/slash placeholder."""
    return normalize_cell(text) in _BLANKS


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(split_unit(text)[0]))


def to_number(text: str) -> Number | None:
    """The cell's value: int, float (if it has decimals), or None when blank/not a number.

    A sign is kept as printed ("+5174" -> 5174, "-183" -> -183); a unit after the number is
    dropped here (see :func:`split_unit`).
    """
    t = split_unit(text)[0]
    if not _NUMBER.match(t):
        return None
    if "." in t:
        return float(t)
    return int(t)


def printed_form(text: str) -> str | None:
    """The cell's text as printed when the number alone does not say it: a plus sign
    ("+5174"), thousands separators, full-width digits, a unit; None when the plain number is
    the printed text (or the cell holds no number)."""
    value = to_number(text)
    printed = " ".join(text.split())
    if value is None or printed == str(value):
        return None
    return printed


def is_value_cell(text: str) -> bool:
    """A cell that belongs to the value part of a row: a number or a blank."""
    return is_blank(text) or is_number(text)
