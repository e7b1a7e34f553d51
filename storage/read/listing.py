"""Whether a report is still listed on its portal: since when it is unlisted (web app banner)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AlertEvent


def unlisted_since(session: Session, report_id: int) -> datetime | None:
    """When the newest ``report_unlisted`` event of a report was recorded (None: never)."""
    return session.scalar(select(AlertEvent.created_at).where(
        AlertEvent.report_id == report_id, AlertEvent.type == "report_unlisted")
        .order_by(AlertEvent.created_at.desc()).limit(1))
