"""Every report's agency, year and publication date: what on-time rates are counted from."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Report

_CHUNK = 500


def publications(session: Session,
                 agencies: Collection[str] | None = None) -> list[tuple[str, int, date | None]]:
    """``(agency, year, published_on)`` of every report (of ``agencies`` when given)."""
    stmt = select(Report.agency, Report.year, Report.published_on)
    if agencies is None:
        return [(a, y, p) for a, y, p in session.execute(stmt)]
    names = sorted(set(agencies))
    out: list[tuple[str, int, date | None]] = []
    for start in range(0, len(names), _CHUNK):
        chunk = names[start:start + _CHUNK]
        out += [(a, y, p) for a, y, p in session.execute(stmt.where(Report.agency.in_(chunk)))]
    return out
