"""Report identity and versions: who issued a report, and what changed between two versions.

A report is identified by its issuing agency (normalised by :func:`normalize_agency`) and
its year, as parsed from the document, whatever URL or format it came in. Two documents of
the same report are the same version when their numbers agree; text is compared too when
both are of the same kind (the same URL or content type), because text extracted from a PDF
and from an HTML page differs in layout even when the words are the same.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

#: The tables of the parse record whose cells are numbers.
NUMBER_TABLES = ("active_disclosure", "applications", "review_litigation")
TEXT_SECTIONS = ("overview", "problems", "other")
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_SHORT_GOVERNMENT = re.compile(r"([省市县区州旗盟镇乡])政府")
_MAX_DIFF_LINES = 40


def normalize_agency(name: str) -> str:
    """The agency's name as an identity key: NFKC, no spaces, 市政府 spelled 市人民政府.

    >>> normalize_agency(" 某某市 政府办公室 ")
    '某某市人民政府办公室'
    """
    text = _SPACE.sub("", unicodedata.normalize("NFKC", name or ""))
    return _SHORT_GOVERNMENT.sub(r"\1人民政府", text)


def is_government(agency: str) -> bool:
    """True for a government's own report (…人民政府), which has a later legal deadline."""
    return normalize_agency(agency).endswith("人民政府")


Cell = tuple[str, str, str]


def numbers(record: dict[str, Any]) -> dict[Cell, float]:
    """Every non-blank number of the record's tables, keyed by (table, row, column)."""
    cells: dict[Cell, float] = {}
    for table in NUMBER_TABLES:
        for row, columns in (record.get(table) or {}).items():
            for column, value in (columns or {}).items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    cells[(table, row, column)] = float(value)
    return cells


def section_text(record: dict[str, Any]) -> dict[str, str]:
    """Each narrative section's text with all whitespace removed (layout is not content)."""
    sections = record.get("sections") or {}
    return {name: _SPACE.sub("", sections.get(name) or "") for name in TEXT_SECTIONS}


def fingerprint(record: dict[str, Any]) -> str:
    """sha256 over the record's agency, year, numbers and section text."""
    payload = {
        "agency": normalize_agency(record.get("agency") or ""),
        "year": record.get("year"),
        "numbers": sorted([list(k), v] for k, v in numbers(record).items()),
        "text": section_text(record),
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@dataclass
class VersionDiff:
    """What differs between two versions of a report."""

    numbers: list[dict[str, Any]] = field(default_factory=list)
    text: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when any number or (compared) text differs."""
        return bool(self.numbers or self.text)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored with the version and sent in alerts."""
        return {"numbers": self.numbers, "text": self.text}

    def summary(self) -> str:
        """One line for people: '3 numbers, text of overview'."""
        parts = []
        if self.numbers:
            parts.append(f"{len(self.numbers)} number{'s' if len(self.numbers) != 1 else ''}")
        if self.text:
            parts.append("text of " + ", ".join(t["section"] for t in self.text))
        return "; ".join(parts) or "no change"


def diff_records(old: dict[str, Any], new: dict[str, Any], *, compare_text: bool) -> VersionDiff:
    """The numbers (and, with ``compare_text``, the sections) that differ from ``old`` to ``new``.

    A cell blank on one side is not a change: a blank often means the parser could not read
    that cell from one format, not that the agency withdrew the number.
    """
    diff = VersionDiff()
    before, after = numbers(old), numbers(new)
    for cell in sorted(before.keys() & after.keys()):
        if before[cell] != after[cell]:
            table, row, column = cell
            diff.numbers.append({"table": table, "row": row, "column": column,
                                 "old": _plain(before[cell]), "new": _plain(after[cell])})
    if compare_text:
        old_text, new_text = section_text(old), section_text(new)
        for name in TEXT_SECTIONS:
            if old_text[name] != new_text[name]:
                diff.text.append({"section": name, "diff": text_diff(
                    (old.get("sections") or {}).get(name) or "",
                    (new.get("sections") or {}).get(name) or "")})
    return diff


def text_diff(old: str, new: str) -> str:
    """A short unified diff of two section texts, one paragraph a line."""
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), "old", "new",
                                      lineterm="", n=0))
    if len(lines) > _MAX_DIFF_LINES:
        lines = [*lines[:_MAX_DIFF_LINES], f"… {len(lines) - _MAX_DIFF_LINES} more lines"]
    return "\n".join(lines)


def _plain(value: float) -> int | float:
    return int(value) if value.is_integer() else value
