"""Alert events read back, newest first: one query for the CLI listing, the Atom feed and the web app."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import AlertDelivery, AlertEvent

_CHUNK = 500


def _conditions(type_: str | None, agency: str | None, since: datetime | None) -> list[Any]:
    where: list[Any] = []
    if type_:
        where.append(AlertEvent.type == type_)
    if agency:
        where.append(AlertEvent.agency.icontains(agency, autoescape=True))
    if since is not None:
        where.append(AlertEvent.created_at >= since)
    return where


def count_events(session: Session, *, type_: str | None = None, agency: str | None = None,
                 since: datetime | None = None) -> int:
    """How many events match (see :func:`events`)."""
    where = _conditions(type_, agency, since)
    return int(session.scalar(select(func.count()).select_from(AlertEvent).where(*where)) or 0)


def events(session: Session, *, type_: str | None = None, agency: str | None = None,
           since: datetime | None = None, limit: int | None = None, offset: int = 0) -> list[AlertEvent]:
    """Events newest first: of type ``type_``, agency containing ``agency``, created at or after ``since``."""
    query = (select(AlertEvent).where(*_conditions(type_, agency, since))
             .order_by(AlertEvent.created_at.desc(), AlertEvent.id.desc()))
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def deliveries_by_event(session: Session, event_ids: Sequence[int]) -> dict[int, list[AlertDelivery]]:
    """Each event's deliveries (one per channel), in the order they were queued."""
    found: dict[int, list[AlertDelivery]] = defaultdict(list)
    for start in range(0, len(event_ids), _CHUNK):
        rows = session.scalars(select(AlertDelivery)
                               .where(AlertDelivery.event_id.in_(event_ids[start:start + _CHUNK]))
                               .order_by(AlertDelivery.id))
        for delivery in rows:
            found[delivery.event_id].append(delivery)
    return found


def announced_events(session: Session, *, limit: int, agency: str | None = None,
                     agencies: Collection[str] | None = None, type_: str | None = None) -> list[AlertEvent]:
    """The Atom feed's events: newest first, never those of a baseline crawl.

    ``agency``: name contains this text; ``agencies``: one of these names; ``type_``: one type.
    """
    query = select(AlertEvent).where(AlertEvent.baseline.is_(False), *_conditions(type_, agency, None))
    if agencies is not None:
        query = query.where(AlertEvent.agency.in_(list(agencies)))
    query = query.order_by(AlertEvent.created_at.desc(), AlertEvent.id.desc()).limit(limit)
    return list(session.scalars(query))


def event_agencies(session: Session) -> list[str]:
    """Every agency name that has an alert event, once each."""
    return list(session.scalars(select(AlertEvent.agency).distinct()))
