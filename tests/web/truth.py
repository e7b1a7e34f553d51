"""Ground truth for the web tests, read straight from the database with plain queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.reports.cross_year import cross_year_checks
from storage.models import ParseResult, Report, ReportVersion


@dataclass(frozen=True)
class Truth:
    """One report as the database holds it, with its current parse record."""

    id: int
    agency: str
    year: int
    status: str
    published_on: date | None
    record: dict[str, Any] | None
    #: the checks against the same agency's report of the year before (crawler.reports.cross_year)
    cross_year: list[dict[str, Any]] = field(default_factory=list)

    @property
    def template(self) -> str | None:
        return (self.record or {}).get("template")

    @property
    def checks(self) -> list[dict[str, Any]]:
        """In-year and cross-year checks, as the lists count them."""
        return [*(self.record or {}).get("checks", []), *self.cross_year]

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if c.get("ok") is False]


def reports(session: Session) -> list[Truth]:
    """Every report with the record of its current version (None when unparsed)."""
    out = []
    for report in session.scalars(select(Report)):
        record = None
        if report.current_version_id is not None:
            version = session.get(ReportVersion, report.current_version_id)
            assert version is not None
            record = session.scalar(select(ParseResult.record).where(
                ParseResult.sha256 == version.sha256,
                ParseResult.parser_version == version.parser_version))
        out.append(Truth(report.id, report.agency, report.year, report.status,
                         report.published_on, record))
    by_year = {(t.agency, t.year): t for t in out if t.record is not None}
    for t in out:
        last = by_year.get((t.agency, t.year - 1))
        if t.record is not None and last is not None and last.record is not None:
            t.cross_year.extend(cross_year_checks(t.record, last.record))
    return out


def deadline(agency: str, year: int) -> date:
    """31 March of the next year for a 人民政府, 31 January for everyone else."""
    return date(year + 1, 3, 31) if agency.replace(" ", "").endswith("人民政府") \
        else date(year + 1, 1, 31)


def all_items(client: httpx.Client, path: str, params: dict[str, Any] | None = None,
              limit: int = 40) -> tuple[int, list[dict[str, Any]]]:
    """Follow ``page.next`` from the first page to the last: the total and every item."""
    response = client.get(path, params={**(params or {}), "limit": limit})
    assert response.status_code == 200, response.text
    body = response.json()
    total, items = body["page"]["total"], list(body["items"])
    pages = 1
    while body["page"]["next"]:
        response = client.get(body["page"]["next"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["page"]["total"] == total
        items += body["items"]
        pages += 1
        assert pages < 1000
    return total, items
