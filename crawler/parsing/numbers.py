"""Reading numbers and blanks out of table cells."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

Number = int | float

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_BLANKS = frozenset({"", "-", "--", "—", "——", "–", "/", "\\", "无", "空", "null", "none", "N/A"})


@lru_cache(maxsize=4096)
def normalize_cell(text: str) -> str:
    """NFKC, no whitespace, no thousands separators."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(t.split())
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    return t


def is_blank(text: str) -> bool:
    """An empty cell or a dash/slash placeholder."""
    return normalize_cell(text) in _BLANKS


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(normalize_cell(text)))


def to_number(text: str) -> Number | None:
    """The cell's value: int, float (if it has decimals), or None when blank/not a number."""
    t = normalize_cell(text)
    if not _NUMBER.match(t):
        return None
    if "." in t:
        return float(t)
    return int(t)


def is_value_cell(text: str) -> bool:
    """A cell that belongs to the value part of a row: a number or a blank."""
    return is_blank(text) or is_number(text)
