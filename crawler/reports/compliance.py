"""Whether a year without a report is a compliance failure or only a gap in our archive.

A year is ``missing`` only when the agency is in the registry (it should report) and a
completed crawl of its portal finished after the deadline (we looked where the report would
be, once it was due, and it was not there). Any other gap past the deadline is
``not_found``: not in the archive, which says nothing about the agency. Before the deadline
it is ``not_due``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

ABSENT_STATES = ("missing", "not_found", "not_due")


@dataclass(frozen=True)
class Evidence:
    """What the registry and the crawl runs tell about agencies (see storage.agencies)."""

    #: Registered names and aliases -> the registered name.
    registered: dict[str, str] = field(default_factory=dict)
    #: Registered name -> when the last completed crawl of its portal finished.
    portal_crawled: dict[str, datetime] = field(default_factory=dict)

    def crawled_after(self, agency: str, deadline: date) -> bool:
        """Whether ``agency`` is registered and its portal was fully crawled after ``deadline``."""
        name = self.registered.get(agency)
        finished = self.portal_crawled.get(name) if name else None
        return finished is not None and finished.date() > deadline


def absent_status(agency: str, deadline: date, today: date, evidence: Evidence) -> str:
    """``not_due``, ``missing`` or ``not_found`` for a year with no report in the archive."""
    if today <= deadline:
        return "not_due"
    return "missing" if evidence.crawled_after(agency, deadline) else "not_found"
