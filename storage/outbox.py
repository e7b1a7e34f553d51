"""The alert outbox's queries: events added with their deliveries, read back, channels, digests
(no commits here).

The callers (:mod:`crawler.alerts.outbox`, :mod:`crawler.alerts.delivery`) decide when to
commit; every function here only reads or adds rows in the given session.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from storage.models import AlertChannel, AlertDelivery, AlertEvent

#: Delivery states still to be sent.
DUE_STATES = ("pending", "failed")


def add_event(session: Session, *, key: str, type: str, agency: str, year: int,  # noqa: A002
              report_id: int | None, run_id: int | None, details: dict[str, Any],
              channels: Sequence[str], moment: datetime, baseline: bool) -> AlertEvent:
    """Add an event and a pending delivery per channel (none for a ``baseline`` event); flushes
    so the event has its id, never commits."""
    event = AlertEvent(key=key, type=type, agency=agency, year=year, report_id=report_id,
                       run_id=run_id, created_at=moment, details=details, baseline=baseline)
    session.add(event)
    session.flush()
    for channel in dict.fromkeys([] if baseline else channels):
        session.add(AlertDelivery(event_id=event.id, channel=channel, state="pending", attempts=0,
                                  next_attempt_at=moment))
    return event


def delivery_by_id(session: Session, delivery_id: int) -> AlertDelivery | None:
    """One delivery row, or None."""
    return session.get(AlertDelivery, delivery_id)


def event_by_id(session: Session, event_id: int) -> AlertEvent | None:
    """One event row, or None."""
    return session.get(AlertEvent, event_id)


def event_exists(session: Session, key: str) -> bool:
    """Whether an event with idempotency key ``key`` was recorded."""
    return session.scalar(select(AlertEvent.id).where(AlertEvent.key == key)) is not None


def register_channels(session: Session, names: Sequence[str], moment: datetime) -> dict[str, AlertChannel]:
    """The channel rows of ``names``; a channel seen for the first time is added at ``moment``."""
    known = {c.name: c for c in session.scalars(select(AlertChannel).where(AlertChannel.name.in_(names)))}
    for name in names:
        if name not in known:
            known[name] = AlertChannel(name=name, added_at=moment, last_digest_at=None)
            session.add(known[name])
    session.flush()
    return known


def backfill(session: Session, channel: str, since: datetime | None, moment: datetime) -> int:
    """Queue ``channel`` for every announced event that has no delivery on it; how many.

    ``since``: only events recorded at or after it (the channel's ``added_at``: events a
    process without this channel configured recorded later); None: all of them (the backlog).
    Baseline events are never queued.
    """
    has_delivery = exists().where(AlertDelivery.event_id == AlertEvent.id, AlertDelivery.channel == channel)
    where = [AlertEvent.baseline.is_(False), ~has_delivery]
    if since is not None:
        where.append(AlertEvent.created_at >= since)
    rows = select(AlertEvent.id, literal(channel), literal("pending"), literal(0),
                  literal(moment, AlertDelivery.next_attempt_at.type)).where(*where)
    added = session.scalars(insert(AlertDelivery).from_select(
        ["event_id", "channel", "state", "attempts", "next_attempt_at"], rows).returning(AlertDelivery.id))
    return len(added.all())


def due_deliveries(session: Session, channels: Collection[str], moment: datetime) -> list[tuple[int, str]]:
    """(id, channel) of pending or failed deliveries on ``channels`` whose time has come, oldest first."""
    if not channels:
        return []
    query = (select(AlertDelivery.id, AlertDelivery.channel)
             .join(AlertEvent, AlertEvent.id == AlertDelivery.event_id)
             .where(AlertDelivery.state.in_(DUE_STATES), AlertDelivery.channel.in_(list(channels)),
                    or_(AlertDelivery.next_attempt_at.is_(None), AlertDelivery.next_attempt_at <= moment))
             .order_by(AlertEvent.created_at, AlertEvent.id, AlertDelivery.id))
    return [(i, channel) for i, channel in session.execute(query).all()]


def waiting_elsewhere(session: Session, channels: Collection[str]) -> dict[str, int]:
    """channel -> undelivered deliveries on channels that are not among ``channels``."""
    query = (select(AlertDelivery.channel, func.count())
             .where(AlertDelivery.state.in_(DUE_STATES), AlertDelivery.channel.not_in(list(channels)))
             .group_by(AlertDelivery.channel))
    return {channel: count for channel, count in session.execute(query).all()}


def undelivered(session: Session, channel: str) -> list[tuple[AlertDelivery, AlertEvent]]:
    """Every pending or failed delivery on ``channel`` with its event, oldest event first."""
    query = (select(AlertDelivery, AlertEvent).join(AlertEvent, AlertEvent.id == AlertDelivery.event_id)
             .where(AlertDelivery.channel == channel, AlertDelivery.state.in_(DUE_STATES))
             .order_by(AlertEvent.created_at, AlertEvent.id))
    return [(d, e) for d, e in session.execute(query).all()]


def backing_off(session: Session, channel: str, moment: datetime) -> bool:
    """Whether a failed delivery on ``channel`` waits for a retry time after ``moment``."""
    query = select(AlertDelivery.id).where(and_(
        AlertDelivery.channel == channel, AlertDelivery.state == "failed",
        AlertDelivery.next_attempt_at > moment)).limit(1)
    return session.scalar(query) is not None


def close_digest(session: Session, channel: str, moment: datetime) -> None:
    """Record that ``channel``'s digest period was closed at ``moment``."""
    session.execute(update(AlertChannel).where(AlertChannel.name == channel).values(last_digest_at=moment))


def deliveries_in(session: Session, ids: Sequence[int]) -> list[AlertDelivery]:
    """The deliveries with these ids (in no particular order)."""
    return list(session.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(list(ids)))))


def channel_rows(session: Session) -> list[tuple[AlertChannel, int]]:
    """Every known channel with its count of pending or failed deliveries, by name."""
    waiting = (select(AlertDelivery.channel, func.count().label("n"))
               .where(AlertDelivery.state.in_(DUE_STATES)).group_by(AlertDelivery.channel).subquery())
    query = (select(AlertChannel, func.coalesce(waiting.c.n, 0))
             .outerjoin(waiting, waiting.c.channel == AlertChannel.name).order_by(AlertChannel.name))
    return [(channel, int(count)) for channel, count in session.execute(query).all()]
