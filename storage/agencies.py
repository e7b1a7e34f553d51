"""The agency registry's table: import (insert or update by name) and read back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from crawler.discovery.urls import host_of
from crawler.reports.compliance import Evidence
from crawler.reports.registry import RegistryEntry
from storage.models import Agency, CrawlRun


@dataclass(frozen=True)
class ImportCounts:
    """What an import did."""

    added: int
    updated: int


def import_agencies(session: Session, entries: Iterable[RegistryEntry]) -> ImportCounts:
    """Insert new agencies and update known ones (by name); commit."""
    now = datetime.now(UTC)
    known = {a.name: a for a in session.scalars(select(Agency))}
    added = updated = 0
    for entry in entries:
        values = {"aliases": entry.aliases, "division_code": entry.division_code, "level": entry.level,
                  "parent": entry.parent, "portal_url": entry.portal_url, "imported_at": now}
        agency = known.get(entry.name)
        if agency is None:
            session.add(Agency(name=entry.name, **values))
            added += 1
        else:
            for key, value in values.items():
                setattr(agency, key, value)
            updated += 1
    session.commit()
    return ImportCounts(added, updated)


def registered_agencies(session: Session, *, division_prefix: str | None = None) -> list[Agency]:
    """Registered agencies (those whose division code starts with ``division_prefix``), by code and name."""
    query = select(Agency).order_by(Agency.division_code, Agency.name)
    if division_prefix:
        query = query.where(Agency.division_code.startswith(division_prefix))
    return list(session.scalars(query))


def compliance_evidence(session: Session) -> Evidence:
    """The registry's names and, per registered agency, the last completed crawl of its portal.

    A crawl covers a portal when one of its seeds is on the portal's host. An archive
    migrated before the registry existed (no ``agencies`` table) gives empty evidence.
    """
    if not inspect(session.connection()).has_table("agencies"):
        return Evidence()
    agencies = list(session.scalars(select(Agency)))
    registered = {alias: a.name for a in agencies for alias in (a.name, *(a.aliases or []))}
    portals = {a.name: host_of(a.portal_url) for a in agencies if a.portal_url}
    crawled: dict[str, datetime] = {}
    runs = session.execute(select(CrawlRun.seeds, CrawlRun.finished_at).where(
        CrawlRun.status == "completed", CrawlRun.finished_at.is_not(None)))
    for seeds, finished in runs:
        if finished is None:
            continue
        hosts = {host_of(seed) for seed in seeds or []}
        for name, host in portals.items():
            if host in hosts and (name not in crawled or finished > crawled[name]):
                crawled[name] = finished
    return Evidence(registered=registered, portal_crawled=crawled)
