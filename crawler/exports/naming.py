"""Column name styles: ``default`` (``applications.granted.total``) or ``stata``.

Stata names are at most 32 characters of letters, digits and underscores, start with a
letter, and are unique within a table. The mapping is deterministic (the same column gets
the same name in every export) and listed in the codebook.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from crawler.exports.columns import TABLES, Column

NAME_STYLES = ("default", "stata")
STATA_MAX = 32
#: Table prefixes of the cell columns (the wide table's 二, 三 and 四).
_TABLE_SHORT = {"active_disclosure": "ad", "applications": "ap", "review_litigation": "rl"}


def _shorten(words: list[str], limit: int) -> str:
    """Join words with ``_``, cutting the longest words first until the name fits ``limit``."""
    words = list(words)
    while len("_".join(words)) > limit:
        longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
        if len(words[longest]) <= 2:
            break
        words[longest] = words[longest][:-1]
    return "_".join(words)[:limit]


def stata_name(name: str) -> str:
    """A Stata-safe form of one column name (uniqueness is :func:`stata_names`'s job)."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] in _TABLE_SHORT:
        parts[0] = _TABLE_SHORT[parts[0]]
    words = [w for part in parts for w in re.split(r"[^A-Za-z0-9]+", part) if w]
    candidate = _shorten(words or ["v"], STATA_MAX)
    return candidate if candidate[0].isalpha() else _shorten(["v", *words], STATA_MAX)


def stata_names(names: Iterable[str]) -> dict[str, str]:
    """Each name -> its unique Stata name (a clash gets ``_2``, ``_3``… within 32 characters)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        candidate = stata_name(name)
        n = 1
        while candidate in used:
            n += 1
            suffix = f"_{n}"
            candidate = stata_name(name)[: STATA_MAX - len(suffix)] + suffix
        used.add(candidate)
        out[name] = candidate
    return out


#: Table -> {default name: Stata name}, computed once.
STATA_NAMES: dict[str, dict[str, str]] = {
    table: stata_names(c.name for c in columns) for table, columns in TABLES.items()}


def header(table: str, columns: tuple[Column, ...], style: str) -> list[str]:
    """The header row of ``table`` in name ``style``."""
    if style == "default":
        return [c.name for c in columns]
    if style == "stata":
        names = STATA_NAMES.get(table) or stata_names(c.name for c in columns)
        return [names[c.name] for c in columns]
    raise ValueError(f"unknown name style {style!r}: one of {', '.join(NAME_STYLES)}")


def renamed(table: str, columns: tuple[Column, ...], style: str) -> tuple[Column, ...]:
    """The columns with their names in ``style`` (types and descriptions unchanged)."""
    return tuple(Column(name, c.type, c.description)
                 for name, c in zip(header(table, columns, style), columns, strict=True))
