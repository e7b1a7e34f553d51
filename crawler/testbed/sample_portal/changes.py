"""Changes to a running sample portal between crawls, and what each one did.

Pass them to :meth:`SamplePortal.apply`. A change that names no report picks the first
eligible one in a stable order (sites in portal order, reports in the order they were placed);
``agency``, ``year`` and ``site`` narrow the choice. A change that fits no report raises
``ValueError`` and leaves the portal as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.testbed.reportgen import GeneratedReport


@dataclass(frozen=True)
class AddReport:
    """Publish a new report in a site's report list (newest first), by default as a PDF
    attachment on a new detail page.

    ``year`` defaults to the year after the newest report the portal was built with; ``agency`` to the
    first of the site's agencies without a report that year; ``site`` to the first site with
    such an agency (or, given ``agency``, the first site carrying it). ``form`` is one of
    the site's forms: ``"pdf"`` (default), ``"inline"``, ``"inline+pdf"`` (TRS), ``"docx"``
    (Hanweb, plain).
    """

    year: int | None = None
    site: str | None = None
    agency: str | None = None
    form: str | None = None


@dataclass(frozen=True)
class ReplacePdf:
    """New bytes at the same URL: the report's PDF is rendered again with a few numbers
    changed (the official checks still hold). Its detail page stays byte-identical, so only
    reports whose numbers are not also inline on the page qualify."""

    agency: str | None = None
    year: int | None = None
    site: str | None = None


@dataclass(frozen=True)
class RemoveReport:
    """Take a report down: its pages, attachments and redirects answer ``status`` (404 or 410)
    and it leaves its list(s)."""

    agency: str | None = None
    year: int | None = None
    status: int = 404
    site: str | None = None

    def __post_init__(self) -> None:
        if self.status not in (404, 410):
            raise ValueError(f"RemoveReport status must be 404 or 410, not {self.status}")


@dataclass(frozen=True)
class UnlistReport:
    """Take a report off its list(s) (and the sitemap) while its URLs still answer 200."""

    agency: str | None = None
    year: int | None = None
    site: str | None = None


@dataclass(frozen=True)
class RepostReport:
    """Move a report: new detail-page and attachment URLs carrying the same document bytes,
    the list points to the new page, the old URLs answer 404."""

    agency: str | None = None
    year: int | None = None
    site: str | None = None


Change = AddReport | ReplacePdf | RemoveReport | UnlistReport | RepostReport


@dataclass(frozen=True)
class AppliedChange:
    """What one change did, in absolute URLs of the running portal.

    ``old_urls``/``new_urls``: every URL of the report before/after (detail pages, documents,
    redirects to documents); ``old_documents``/``new_documents``: the URLs whose bytes are the
    report (as in :class:`ExpectedReport`). Empty on the side where the report does not exist
    (``old_*`` of an added report, ``new_*`` of a removed one). ``touched_urls``: every URL whose
    answer changed (the report's own, its list pages, a sitemap, the jpage proxy); everything
    else on the portal is byte-identical, with the same ETag and Last-Modified.
    """

    change: Change
    site: str
    agency: str
    year: int
    old_urls: tuple[str, ...]
    new_urls: tuple[str, ...]
    old_documents: tuple[str, ...]
    new_documents: tuple[str, ...]
    touched_urls: tuple[str, ...]
    #: Last-Modified (seconds since the epoch) of what this change touched.
    at: float
    #: The report as it is now (for a removed one: as it was).
    report: GeneratedReport
    #: ``ReplacePdf``: the report before its numbers changed; otherwise None.
    previous: GeneratedReport | None = None
