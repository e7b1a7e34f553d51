"""The alert outbox: events are added in the same transaction as the change they describe.

:func:`record_event` never commits; the caller commits it together with the change, so an
event exists if and only if its change does. The event's ``key`` makes it idempotent: the
same change recorded twice (a re-crawl, a restart) is one event, delivered once per channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models import ALERT_TYPES, AlertEvent
from storage.outbox import add_event, event_exists


def record_event(session: Session, *, key: str, type: str, agency: str, year: int,  # noqa: A002
                 report_id: int | None, run_id: int | None, details: dict[str, Any],
                 channels: Sequence[str], now: datetime | None = None,
                 baseline: bool = False) -> AlertEvent | None:
    """Add the event ``key`` and a pending delivery per channel; None when ``key`` exists.

    A ``baseline`` event (``crawl --baseline``) is recorded with no delivery at all.

    Does not commit: the caller's commit makes the change and its event durable together.
    """
    if type not in ALERT_TYPES:
        raise ValueError(f"unknown alert type {type!r}; expected one of {', '.join(ALERT_TYPES)}")
    if event_exists(session, key):
        return None
    return add_event(session, key=key, type=type, agency=agency, year=year, report_id=report_id,
                     run_id=run_id, details=details, channels=channels,
                     moment=now or datetime.now(UTC), baseline=baseline)
