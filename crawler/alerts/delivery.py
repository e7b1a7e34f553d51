"""One delivery pass: send every due alert by its channel, committing each outcome at once.

A delivery is due when it is ``pending`` or ``failed`` and its ``next_attempt_at`` has come.
Each is tried a few times in quick succession (tenacity, exponential backoff); its outcome is
committed before the next one is touched, so a process killed mid-pass loses nothing and resends
at most the one alert in flight (with the same Idempotency-Key). A failure stays ``failed``
with its reason and a later ``next_attempt_at`` (doubling per attempt, capped); it is never
dropped. Only one pass runs per database at a time (a file lock next to a SQLite database,
an advisory lock on PostgreSQL; both die with the process). The Atom file, when configured, is
regenerated from the events table at the end of each pass.

A pass first registers each configured channel (the first pass that sees it records when it was
added) and queues it for the announced events it has no delivery for: those recorded since it
was added (by a process without it configured), or all of them with ``backlog``. A ``daily`` or
``weekly`` channel then gets one digest message per period (:mod:`crawler.alerts.digest`)
instead of one message per event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from crawler.alerts import email, webhook
from crawler.alerts.atom import feed_events, write_feed
from crawler.alerts.config import AlertSettings
from crawler.alerts.digest import Digest, period_over, split
from crawler.alerts.email import PartialDelivery
from crawler.alerts.errors import DeliveryError
from storage import outbox
from storage.models import AlertEvent
from storage.passlock import pass_lock

logger = logging.getLogger(__name__)

Sender = Callable[[AlertEvent, AlertSettings], None]
SENDERS: dict[str, Sender] = {"webhook": webhook.send_webhook, "email": email.send_email}
DigestSender = Callable[[Digest, AlertSettings], None]
DIGEST_SENDERS: dict[str, DigestSender] = {"webhook": webhook.send_digest, "email": email.send_digest}
DUE_STATES = outbox.DUE_STATES
#: Key of the PostgreSQL advisory lock held by a delivery pass ("gova").
DELIVERY_LOCK_KEY = 0x676F7661


@dataclass
class DeliveryOutcome:
    """What one delivery attempt in this pass came to."""

    delivery_id: int
    event_key: str
    type: str
    agency: str
    year: int
    channel: str
    delivered: bool
    attempts: int
    #: Why it failed (or, when delivered, recipients that refused it).
    error: str | None = None
    next_attempt_at: datetime | None = None
    #: The id of the digest message that carried it (None: sent on its own).
    digest: str | None = None


@dataclass
class DeliverySummary:
    """The outcome of a pass: each delivery tried, what waits on unconfigured channels, the feed."""

    outcomes: list[DeliveryOutcome] = field(default_factory=list)
    #: channel -> deliveries due or waiting on a channel the settings do not configure.
    unconfigured: dict[str, int] = field(default_factory=dict)
    #: channel -> due deliveries not tried because the channel failed too often in a row.
    deferred: dict[str, int] = field(default_factory=dict)
    atom_path: Path | None = None
    atom_entries: int = 0
    atom_written: bool = False
    atom_error: str | None = None
    #: True when another pass held the lock for the whole wait: nothing was tried.
    busy: bool = False
    #: channel -> deliveries this pass queued for events recorded without it (backlog included).
    queued: dict[str, int] = field(default_factory=dict)
    #: channel -> the start of the digest period it waits for (nothing was due yet).
    waiting: dict[str, datetime] = field(default_factory=dict)

    @property
    def delivered(self) -> int:
        """Deliveries that succeeded in this pass."""
        return sum(1 for o in self.outcomes if o.delivered)

    @property
    def failed(self) -> int:
        """Deliveries that failed in this pass (they stay queued)."""
        return sum(1 for o in self.outcomes if not o.delivered)

    @property
    def ok(self) -> bool:
        """Nothing failed and the feed (if configured) was written."""
        return self.failed == 0 and self.atom_error is None


def deliver_pending(engine_or_session_factory: Engine | Callable[[], Session], settings: AlertSettings,
                    *, now: datetime | None = None, max_attempts_per_pass: int = 3,
                    lock_timeout: float = 60.0, give_up_after: int = 5,
                    sleep: Callable[[float], None] = time.sleep) -> DeliverySummary:
    """Deliver every due alert on the configured channels; regenerate the Atom file.

    ``now`` fixes the clock (due times, delivered_at, backoff) for tests; ``lock_timeout`` is
    how long to wait for a concurrent pass on the same database before giving up (``busy``).
    After ``give_up_after`` failed deliveries in a row on one channel (the receiver is down),
    the pass leaves that channel's other due deliveries for the next pass (``deferred``).
    Channels are first registered and queued for the events they lack (``queued``); a daily or
    weekly channel then sends its digest if its period is over, else waits (``waiting``).
    """
    if max_attempts_per_pass < 1 or give_up_after < 1:
        raise ValueError("max_attempts_per_pass and give_up_after must be at least 1")
    factory = _factory(engine_or_session_factory)
    channels = [c for c in settings.channels() if c in SENDERS]
    summary = DeliverySummary(atom_path=settings.atom_path)
    with pass_lock(_bind(factory), DELIVERY_LOCK_KEY, lock_timeout, name="alerts") as acquired:
        if not acquired:
            logger.warning("alert delivery skipped: another pass holds the lock",
                           extra={"lock_timeout": lock_timeout})
            summary.busy = True
            return summary
        summary.queued = _queue_missing(factory, channels, settings, now or datetime.now(UTC))
        immediate = [c for c in channels if settings.digest(c) == "immediate"]
        tried: set[int] = set()
        failures_in_a_row = dict.fromkeys(channels, 0)
        while batch := _due(factory, immediate, now or datetime.now(UTC), tried):
            for delivery_id, channel in batch:
                tried.add(delivery_id)
                if failures_in_a_row[channel] >= give_up_after:
                    summary.deferred[channel] = summary.deferred.get(channel, 0) + 1
                    continue
                outcome = _deliver_one(factory, delivery_id, settings, now=now,
                                       max_attempts=max_attempts_per_pass, sleep=sleep)
                if outcome is not None:
                    summary.outcomes.append(outcome)
                    failures_in_a_row[channel] = 0 if outcome.delivered else failures_in_a_row[channel] + 1
        for channel in channels:
            if channel not in immediate:
                _deliver_digest(factory, channel, settings, summary, now=now,
                                max_attempts=max_attempts_per_pass, sleep=sleep)
        for channel, count in summary.deferred.items():
            logger.warning("alert channel deferred", extra={"channel": channel, "deferred": count,
                                                            "failures_in_a_row": give_up_after})
        summary.unconfigured = _waiting_elsewhere(factory, channels)
        if settings.atom_path is not None:
            _regenerate_feed(factory, settings, summary)
    return summary


# -- one delivery --------------------------------------------------------------------------
def _deliver_one(factory: Callable[[], Session], delivery_id: int, settings: AlertSettings, *,
                 now: datetime | None, max_attempts: int,
                 sleep: Callable[[float], None]) -> DeliveryOutcome | None:
    """Send one delivery (with quick retries) and commit its outcome; None if no longer due."""
    with factory() as session:
        delivery = outbox.delivery_by_id(session, delivery_id)
        if delivery is None or delivery.state not in DUE_STATES:
            return None
        event = outbox.event_by_id(session, delivery.event_id)
        channel = delivery.channel
        if event is None:  # pragma: no cover - the foreign key forbids it
            return None
        session.expunge(event)
        session.rollback()  # no transaction stays open while the network is slow

    delivered, error = _send(lambda: SENDERS[channel](event, settings), settings, max_attempts, sleep,
                             {"event_key": event.key, "channel": channel})
    moment = now or datetime.now(UTC)
    with factory() as session:
        delivery = outbox.delivery_by_id(session, delivery_id)
        if delivery is None:  # pragma: no cover - deliveries are never deleted
            return None
        delivery.attempts = (delivery.attempts or 0) + 1
        delivery.last_error = error
        if delivered:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = "delivered", moment, None
        else:
            delivery.state = "failed"
            delivery.next_attempt_at = moment + backoff(delivery.attempts, settings)
        outcome = DeliveryOutcome(delivery_id=delivery_id, event_key=event.key, type=event.type,
                                  agency=event.agency, year=event.year, channel=channel,
                                  delivered=delivered, attempts=delivery.attempts, error=error,
                                  next_attempt_at=delivery.next_attempt_at)
        session.commit()
    log = {"event_key": outcome.event_key, "event_type": outcome.type, "channel": channel,
           "delivery_id": delivery_id, "attempts": outcome.attempts}
    if delivered:
        logger.info("alert delivered", extra={**log, "note": error})
    else:
        logger.warning("alert delivery failed", extra={
            **log, "error": error, "next_attempt_at": outcome.next_attempt_at.isoformat()
            if outcome.next_attempt_at else None})
    return outcome


def _send(call: Callable[[], None], settings: AlertSettings, max_attempts: int,
          sleep: Callable[[float], None], about: dict[str, str]) -> tuple[bool, str | None]:
    """(delivered, error or note): make the ``call`` up to ``max_attempts`` times."""
    retrying = Retrying(
        stop=stop_after_attempt(max_attempts),
        wait=wait_exponential(multiplier=settings.retry_wait, max=settings.retry_wait * 8),
        retry=retry_if_exception(lambda exc: isinstance(exc, DeliveryError) and exc.transient),
        reraise=True, sleep=sleep,
    )
    try:
        for attempt in retrying:
            with attempt:
                call()
    except PartialDelivery as exc:
        return True, exc.reason
    except DeliveryError as exc:
        return False, exc.reason
    except Exception as exc:  # noqa: BLE001 - a bug in one alert must not stop the others
        logger.exception("alert delivery crashed", extra=about)
        return False, f"internal error: {type(exc).__name__}: {exc}"
    return True, None


# -- digests -------------------------------------------------------------------------------
def _deliver_digest(factory: Callable[[], Session], channel: str, settings: AlertSettings,
                    summary: DeliverySummary, *, now: datetime | None, max_attempts: int,
                    sleep: Callable[[float], None]) -> None:
    """Send ``channel``'s digest when its period is over (and no failed one waits for its retry)."""
    period = settings.digest(channel)
    moment = now or datetime.now(UTC)
    with factory() as session:
        row = outbox.register_channels(session, [channel], moment)[channel]
        anchor = row.last_digest_at or row.added_at
        if not period_over(period, anchor, moment, settings.digest_timezone):
            summary.waiting[channel] = anchor
            session.rollback()
            return
        if outbox.backing_off(session, channel, moment):
            session.rollback()
            return  # the failed digest is retried, with everything since, at its next-try time
        pairs = outbox.undelivered(session, channel)
        if not pairs:
            outbox.close_digest(session, channel, moment)
            session.commit()
            return
        ids = {event.id: delivery.id for delivery, event in pairs}
        events = [event for _, event in pairs]
        session.expunge_all()
        session.rollback()  # no transaction stays open while the network is slow
    since = min(anchor, events[0].created_at)
    digests = split(channel, period, since, moment, events, settings.digest_max_events,
                    settings.archive_url)
    for digest in digests:
        delivered, error = _send(partial(DIGEST_SENDERS[channel], digest, settings), settings,
                                 max_attempts, sleep, {"digest": digest.key, "channel": channel})
        _record_digest(factory, digest, [ids[e.id] for e in digest.events], delivered, error, moment,
                       settings, summary)
        if not delivered:
            return  # the rest waits, with the failed part, for the retry
    with factory() as session:
        outbox.close_digest(session, channel, moment)
        session.commit()


def _record_digest(factory: Callable[[], Session], digest: Digest, delivery_ids: list[int],
                   delivered: bool, error: str | None, moment: datetime, settings: AlertSettings,
                   summary: DeliverySummary) -> None:
    """Commit the outcome of one digest message on each of its deliveries."""
    events = {e.id: e for e in digest.events}
    with factory() as session:
        for delivery in outbox.deliveries_in(session, delivery_ids):
            delivery.attempts = (delivery.attempts or 0) + 1
            delivery.last_error = error
            if delivered:
                delivery.state, delivery.delivered_at, delivery.next_attempt_at = "delivered", moment, None
            else:
                delivery.state = "failed"
                delivery.next_attempt_at = moment + backoff(delivery.attempts, settings)
            event = events[delivery.event_id]
            summary.outcomes.append(DeliveryOutcome(
                delivery_id=delivery.id, event_key=event.key, type=event.type, agency=event.agency,
                year=event.year, channel=digest.channel, delivered=delivered, attempts=delivery.attempts,
                error=error, next_attempt_at=delivery.next_attempt_at, digest=digest.key))
        session.commit()
    extra = {"digest": digest.key, "channel": digest.channel, "events": len(delivery_ids),
             "part": digest.part, "parts": digest.parts}
    if delivered:
        logger.info("alert digest delivered", extra={**extra, "note": error})
    else:
        logger.warning("alert digest failed", extra={**extra, "error": error})


def backoff(attempts: int, settings: AlertSettings) -> timedelta:
    """Wait before the next pass retries, after ``attempts`` failed passes (doubling, capped)."""
    seconds = settings.backoff_base * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.backoff_max))


# -- queries -------------------------------------------------------------------------------
def _queue_missing(factory: Callable[[], Session], channels: list[str], settings: AlertSettings,
                   moment: datetime) -> dict[str, int]:
    """Register the channels; queue each for announced events it has no delivery for.

    Events recorded since the channel was added always; older ones (its backlog) only with
    ``backlog``. Returns channel -> deliveries queued.
    """
    queued: dict[str, int] = {}
    with factory() as session:
        rows = outbox.register_channels(session, channels, moment)
        for channel in channels:
            since = None if settings.backlog(channel) else rows[channel].added_at
            count = outbox.backfill(session, channel, since, moment)
            if count:
                queued[channel] = count
                logger.info("alerts queued for a channel", extra={
                    "channel": channel, "queued": count, "backlog": since is None})
        session.commit()
    return queued


def _due(factory: Callable[[], Session], channels: list[str], moment: datetime,
         tried: set[int]) -> list[tuple[int, str]]:
    """(id, channel) of due deliveries on ``channels`` not tried in this pass, oldest first."""
    with factory() as session:
        return [(i, c) for i, c in outbox.due_deliveries(session, channels, moment) if i not in tried]


def _waiting_elsewhere(factory: Callable[[], Session], channels: list[str]) -> dict[str, int]:
    """channel -> undelivered deliveries on channels that are not configured."""
    with factory() as session:
        return outbox.waiting_elsewhere(session, channels)


def _regenerate_feed(factory: Callable[[], Session], settings: AlertSettings,
                     summary: DeliverySummary) -> None:
    assert settings.atom_path is not None
    try:
        with factory() as session:
            events = feed_events(session, settings)
            summary.atom_entries = len(events)
            summary.atom_written = write_feed(settings.atom_path, events, self_url=settings.atom_self_url,
                                              report_link=settings.archive_url if settings.base_url else None)
    except OSError as exc:
        summary.atom_error = f"cannot write the Atom feed {settings.atom_path}: {exc.strerror or exc}"
        logger.error("atom feed not written", extra={"path": str(settings.atom_path), "error": str(exc)})
        return
    logger.info("atom feed regenerated", extra={"path": str(settings.atom_path),
                                                "entries": summary.atom_entries,
                                                "changed": summary.atom_written})


# -- sessions ----------------------------------------------------------------------------
def _factory(target: Engine | Callable[[], Session]) -> Callable[[], Session]:
    if isinstance(target, Engine):
        return sessionmaker(target, expire_on_commit=False)
    return target


def _bind(factory: Callable[[], Session]) -> Engine:
    with factory() as session:
        bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine
