"""Reading alert events back with their delivery states, for the CLI (and later the web app)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from crawler.alerts.render import iso, one_line, short_change
from storage.models import AlertDelivery, AlertEvent
from storage.read.alerts import deliveries_by_event
from storage.read.alerts import events as alert_events


@dataclass
class EventView:
    """An event with its deliveries (one per channel)."""

    event: AlertEvent
    deliveries: list[AlertDelivery]

    def to_json(self) -> dict[str, Any]:
        """Every field of the event and its deliveries, JSON-ready (times ISO UTC)."""
        e = self.event
        return {
            "id": e.id, "key": e.key, "type": e.type, "agency": e.agency, "year": e.year,
            "report_id": e.report_id, "run_id": e.run_id, "created_at": iso(e.created_at),
            "summary": short_change(e), "details": e.details, "baseline": bool(e.baseline),
            "deliveries": [{
                "channel": d.channel, "state": d.state, "attempts": d.attempts,
                "next_attempt_at": _iso(d.next_attempt_at), "last_error": d.last_error,
                "delivered_at": _iso(d.delivered_at),
            } for d in self.deliveries],
        }


def list_events(session: Session, *, since: datetime | None = None, type_: str | None = None,
                limit: int | None = None) -> list[EventView]:
    """Events newest first (created at or after ``since``, of type ``type_``) with deliveries."""
    found = alert_events(session, since=since, type_=type_, limit=limit)
    by_event = deliveries_by_event(session, [e.id for e in found])
    return [EventView(e, by_event.get(e.id, [])) for e in found]


def delivery_state(delivery: AlertDelivery, now: datetime | None = None) -> str:
    """``webhook: delivered`` or ``email: failed (3 attempts, next 18:22Z: Connection refused)``."""
    moment = now or datetime.now(UTC)
    label = f"{delivery.channel}: {delivery.state}"
    attempts = f"{delivery.attempts} attempt{'s' if delivery.attempts != 1 else ''}"
    if delivery.state == "delivered":
        extra = [attempts] if delivery.attempts > 1 else []
        if delivery.last_error:
            extra.append(one_line(delivery.last_error))
        return label + (f" ({', '.join(extra)})" if extra else "")
    if delivery.state == "failed":
        parts = [attempts]
        if delivery.next_attempt_at is not None:
            parts.append(f"next {short_time(delivery.next_attempt_at, moment)}")
        reason = one_line(delivery.last_error or "no reason recorded")
        return f"{label} ({', '.join(parts)}: {reason})"
    return label


def short_time(moment: datetime, now: datetime) -> str:
    """``18:22Z`` today, ``2026-01-05 18:22Z`` on another day (UTC); rounded up to the minute."""
    moment = moment.astimezone(UTC)
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if moment.date() == now.astimezone(UTC).date():
        return moment.strftime("%H:%MZ")
    return moment.strftime("%Y-%m-%d %H:%MZ")


def _iso(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None
