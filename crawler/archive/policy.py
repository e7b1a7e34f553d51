"""Re-crawl policies: which validators to send, which pages count as settled.

Chosen by the setting ``GOVREPORTS_RECRAWL_POLICY`` (a class path), as Scrapy's HTTP cache
chooses ``HTTPCACHE_POLICY``. ``ConditionalPolicy`` (default) asks known pages and documents
with ``If-None-Match`` / ``If-Modified-Since`` and skips detail pages that lead to no report
for ``GOVREPORTS_REVISIT_AFTER_DAYS``; ``FullPolicy`` (``govreports crawl --full``) asks
everything in full. ``GOVREPORTS_CONDITIONAL = False`` also selects ``FullPolicy``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from scrapy.utils.misc import load_object

if TYPE_CHECKING:
    from collections.abc import Collection

    from scrapy.settings import BaseSettings

    from storage.repository import ArchiveDB, KnownUrl

DEFAULT_POLICY = "crawler.archive.policy.ConditionalPolicy"
FULL_POLICY = "crawler.archive.policy.FullPolicy"


class RecrawlPolicy(Protocol):
    """What a re-crawl asks again, and how."""

    #: The last known state of the URLs of the crawled hosts (empty: nothing known).
    known: dict[str, KnownUrl]

    def validators_for(self, url: str) -> dict[str, str]:
        """Conditional-request headers to send for ``url`` (empty: ask in full)."""

    def is_settled(self, url: str) -> bool:
        """True for a page not worth asking this time."""


class FullPolicy:
    """Ask everything in full, skip nothing: a first crawl, or ``--full``."""

    def __init__(self) -> None:
        self.known: dict[str, KnownUrl] = {}

    @classmethod
    def from_archive(cls, settings: BaseSettings, db: ArchiveDB, hosts: Collection[str]) -> FullPolicy:
        return cls()

    def validators_for(self, url: str) -> dict[str, str]:
        return {}

    def is_settled(self, url: str) -> bool:
        return False


class ConditionalPolicy:
    """Validators for every URL fetched before; detail pages that lead to no report settle.

    Pages on a link path to a report document, lists and documents are always asked
    (conditionally); settled pages are asked again once ``revisit_after`` has passed. A page
    last checked by a run that did not complete is never settled: that run may have died
    before linking the report the page leads to.
    """

    def __init__(self, known: dict[str, KnownUrl], report_paths: set[str], revisit_after: timedelta,
                 *, completed_runs: Collection[int] | None = None) -> None:
        self.known = known
        self.report_paths = report_paths
        self.revisit_after = revisit_after
        self.completed_runs = completed_runs

    @classmethod
    def from_archive(cls, settings: BaseSettings, db: ArchiveDB,
                     hosts: Collection[str]) -> ConditionalPolicy:
        return cls(db.known_urls(hosts), db.report_paths(hosts),
                   timedelta(days=settings.getfloat("GOVREPORTS_REVISIT_AFTER_DAYS")),
                   completed_runs=db.completed_run_ids())

    def validators_for(self, url: str) -> dict[str, str]:
        known = self.known.get(url)
        if (known is None or known.status not in (200, 304) or known.sha256 is None
                or known.warc_record_id is None):
            return {}
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def is_settled(self, url: str) -> bool:
        known = self.known.get(url)
        if (known is None or known.kind != "detail" or known.status not in (200, 304)
                or known.last_checked_at is None or url in self.report_paths):
            return False
        if self.completed_runs is not None and known.last_run_id not in self.completed_runs:
            return False
        return datetime.now(UTC) - known.last_checked_at < self.revisit_after


def policy_class(settings: BaseSettings) -> type[FullPolicy] | type[ConditionalPolicy]:
    """The policy class the settings choose."""
    if not settings.getbool("GOVREPORTS_CONDITIONAL", True):
        return FullPolicy
    return load_object(settings.get("GOVREPORTS_RECRAWL_POLICY") or DEFAULT_POLICY)  # type: ignore[no-any-return]
