"""What changed since a moment: the ``updated_since`` filter of the web app's lists.

A report counts as updated at or after ``since`` when it was first seen then, a new version of
it was first seen then, it was marked removed then, or an alert event about it (changed,
removed, unlisted) was recorded then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased

from storage.models import AlertEvent, Report, ReportVersion


def report_updated_since(since: datetime, report: Any = Report) -> Any:
    """A WHERE condition on ``report`` (``Report`` or an alias of it): updated at or after
    ``since`` (see the module doc)."""
    return or_(
        report.first_seen_at >= since,
        report.removed_at >= since,
        # correlated with the report only: a query that also joins a version (the current
        # one) must not turn these subqueries' own tables into its own
        exists(select(ReportVersion.id).where(ReportVersion.report_id == report.id,
                                              ReportVersion.first_seen_at >= since)
               .correlate(report)),
        exists(select(AlertEvent.id).where(AlertEvent.report_id == report.id,
                                           AlertEvent.created_at >= since).correlate(report)),
    )


def agency_updated_since(since: datetime) -> Any:
    """A WHERE condition on ``Report.agency``: the agency has a report updated since ``since``."""
    updated = aliased(Report)
    return Report.agency.in_(select(updated.agency).where(report_updated_since(since, updated)))
