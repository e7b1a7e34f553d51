"""The agency registry file: which agencies should report, where, and in which official area.

A UTF-8 CSV (a byte-order mark is fine) with a header row and the columns ``name``,
``aliases`` (other names, separated by ``;`` or ``、``), ``division_code`` (the official
six- or twelve-digit 行政区划代码 of the agency's area), ``level`` (province, prefecture,
county, township or department), ``parent`` (the registered agency it reports to, or
empty) and ``portal_url`` (its disclosure portal, http or https). A bad row is reported
with its line number and skipped; the other rows are imported.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.errors import ConfigError
from crawler.reports.divisions import UnknownDivision, division

COLUMNS = ("name", "aliases", "division_code", "level", "parent", "portal_url")
LEVELS = ("province", "prefecture", "county", "township", "department")


@dataclass(frozen=True)
class RegistryEntry:
    """One valid row of a registry file."""

    name: str
    aliases: list[str]
    division_code: str
    level: str
    parent: str | None
    portal_url: str | None


@dataclass
class ParsedRegistry:
    """The valid entries of a registry file and a message per rejected row."""

    entries: list[RegistryEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class RegistryFileError(ConfigError, ValueError):
    """The file as a whole cannot be read as a registry (wrong header, not UTF-8)."""


def _entry(row: dict[str, str]) -> RegistryEntry:
    name = (row.get("name") or "").strip()
    if not name:
        raise ValueError("name is empty")
    try:
        code = division(row.get("division_code") or "").code
    except UnknownDivision as exc:
        raise ValueError(f"division_code: {exc}") from exc
    level = (row.get("level") or "").strip().lower()
    if level not in LEVELS:
        raise ValueError(f"level {level!r} is not one of {', '.join(LEVELS)}")
    portal = (row.get("portal_url") or "").strip() or None
    if portal is not None and (urlsplit(portal).scheme not in ("http", "https") or not urlsplit(portal).netloc):
        raise ValueError(f"portal_url {portal!r} is not an http(s) URL")
    aliases = [a.strip() for a in re.split(r"[;；、]", row.get("aliases") or "") if a.strip() and a.strip() != name]
    return RegistryEntry(name=name, aliases=list(dict.fromkeys(aliases)), division_code=code, level=level,
                         parent=(row.get("parent") or "").strip() or None, portal_url=portal)


def parse_registry(data: bytes) -> ParsedRegistry:
    """Read a registry file; raises :class:`RegistryFileError` when it is not one at all."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryFileError(f"not UTF-8 ({exc.reason} at byte {exc.start}); save the CSV as UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RegistryFileError(f"the header lacks {', '.join(missing)}; expected {','.join(COLUMNS)}")
    reader.fieldnames = header
    parsed = ParsedRegistry()
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        try:
            entry = _entry(row)
        except ValueError as exc:
            parsed.errors.append(f"line {line}: {exc}")
            continue
        if entry.name in seen:
            parsed.errors.append(f"line {line}: {entry.name} is listed twice; the first row is kept")
            continue
        seen.add(entry.name)
        parsed.entries.append(entry)
    return parsed
