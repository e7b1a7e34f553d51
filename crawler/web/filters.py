"""Filters of the report list, read from a query string the same way by pages and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from crawler.errors import FilterError
from storage.read.reports import REPORT_SORTS

TEMPLATES = ("2019", "2021", "mixed", "unknown")
STATUSES = ("live", "removed")
#: The orders the report list can be sorted by (the read side defines them).
SORTS = REPORT_SORTS
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_TEXT = 200



@dataclass(frozen=True)
class ReportFilters:
    """What the list of reports is narrowed to (all optional)."""

    agency: str | None = None
    region: str | None = None
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    template: str | None = None
    failed: bool = False
    status: str | None = None
    sort: str = "-year"
    updated_since: datetime | None = None

    def params(self) -> dict[str, object]:
        """The filters as query parameters, the default sort as None (left out of links)."""
        values = asdict(self)
        if values["sort"] == "-year":
            values["sort"] = None
        if self.updated_since is not None:
            values["updated_since"] = self.updated_since.isoformat()
        return values

    def query(self, **extra: object) -> str:
        """The query string for these filters (defaults left out), plus ``extra``."""
        pairs = [(name, "true" if value is True else str(value))
                 for name, value in self.params().items() if value not in (None, False, "")]
        pairs += [(k, str(v)) for k, v in extra.items() if v is not None]
        return urlencode(pairs)


def _text(params: Mapping[str, str], name: str) -> str | None:
    value = (params.get(name) or "").strip()
    if len(value) > MAX_TEXT:
        raise FilterError(f"{name}: at most {MAX_TEXT} characters")
    return value or None


def _int(params: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    value = _text(params, name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise FilterError(f"{name}: {value!r} is not a whole number") from None
    if not low <= number <= high:
        raise FilterError(f"{name}: {number} is outside {low}…{high}")
    return number


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = _text(params, name)
    if value is not None and value not in allowed:
        raise FilterError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return value


def parse_moment(value: str | None, name: str = "updated_since") -> datetime | None:
    """An ISO 8601 date or date-time (UTC when it names no offset); None when empty."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+", 1)
                                        if "T" in text else text)
    except ValueError:
        raise FilterError(f"{name}: {text!r} is not an ISO 8601 date or date-time, "
                          "e.g. 2024-02-01 or 2024-02-01T08:00:00Z") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_bool(value: str | None, name: str) -> bool:
    """``true/1/yes/on`` or ``false/0/no/off/''``; anything else is an error."""
    text = (value or "").strip().lower()
    if text in ("", "false", "0", "no", "off"):
        return False
    if text in ("true", "1", "yes", "on"):
        return True
    raise FilterError(f"{name}: {value!r} is not true or false")


def parse_filters(params: Mapping[str, str]) -> ReportFilters:
    """Filters from query parameters; empty values mean 'no filter'."""
    filters = ReportFilters(
        agency=_text(params, "agency"),
        region=_text(params, "region"),
        year=_int(params, "year", 1900, 2200),
        year_from=_int(params, "year_from", 1900, 2200),
        year_to=_int(params, "year_to", 1900, 2200),
        template=_choice(params, "template", TEMPLATES),
        failed=parse_bool(params.get("failed"), "failed"),
        status=_choice(params, "status", STATUSES),
        sort=_choice(params, "sort", SORTS) or "-year",
        updated_since=parse_moment(params.get("updated_since")),
    )
    if filters.year_from and filters.year_to and filters.year_from > filters.year_to:
        raise FilterError("year_from is after year_to")
    return filters


def parse_page(params: Mapping[str, str], default_limit: int = DEFAULT_LIMIT) -> tuple[int, int]:
    """``limit`` (1…500) and ``offset`` (≥ 0) from query parameters."""
    limit = _int(params, "limit", 1, MAX_LIMIT) or default_limit
    offset = _int(params, "offset", 0, 10**9) or 0
    return limit, offset
