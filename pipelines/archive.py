"""Link every report found to the documents that carry it, and parse them.

The bytes are already archived by the wire middleware when an item arrives; this pipeline
records which report (agency, year) a document carries and stores the parsed record.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from twisted.internet.threads import deferToThread

from crawler.archive.session import ArchiveSession
from crawler.extensions.run_owner import RunOwner
from crawler.items import ReportItem
from crawler.reports.changes import SeenDocument
from crawler.reports.page_identity import clean_agency

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ReportArchivePipeline:
    """Record reports and their documents; parse each new document once.

    Settings: ``GOVREPORTS_PARSE`` (bool), ``GOVREPORTS_PARSE_TIMEOUT`` (seconds, default 60),
    ``GOVREPORTS_PARSE_MEMORY`` (bytes the parse worker may use, default 1 GB; 0: no limit),
    ``GOVREPORTS_OCR_PAGE_SECONDS`` (a scanned PDF's time limit grows by this much a page).
    """

    def __init__(self, crawler: Crawler, session: ArchiveSession, *, parse: bool,
                 parse_timeout: float, ocr_page_seconds: float = 60.0) -> None:
        self.crawler = crawler
        self.session = session
        self.parse = parse
        self.parse_timeout = parse_timeout
        self.ocr_page_seconds = ocr_page_seconds
        self.parsed: dict[str, dict[str, Any] | None] = {}
        self.report_ids: set[int] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReportArchivePipeline:
        from crawler.parsing.api import DEFAULT_MEMORY_LIMIT, set_worker_limits

        set_worker_limits(memory_limit=crawler.settings.getint("GOVREPORTS_PARSE_MEMORY",
                                                               DEFAULT_MEMORY_LIMIT))
        owner = crawler.get_extension(RunOwner)
        if owner is None:
            raise RuntimeError("the report pipeline needs the RunOwner extension")
        return cls(
            crawler,
            owner.session,
            parse=crawler.settings.getbool("GOVREPORTS_PARSE", True),
            parse_timeout=crawler.settings.getfloat("GOVREPORTS_PARSE_TIMEOUT", 60.0),
            ocr_page_seconds=crawler.settings.getfloat("GOVREPORTS_OCR_PAGE_SECONDS", 60.0),
        )

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportItem):
            return item
        session = self.session
        stats = self.crawler.stats
        assert stats is not None
        record = await self._parse(session, item) if self.parse else None
        parsed = record or {}
        published_on = item.published_on or parsed.get("published_on")
        from crawler.parsing import PARSER_VERSION

        # identity comes from the document's own title when it parsed and names an
        # organisation, else from what the page around it means (crawler.reports.identity)
        own_agency = clean_agency(parsed.get("agency"))
        decided = (parsed.get("identity") or {}).get("agency") if isinstance(parsed.get("identity"), dict) else None
        identity_source = (decided or "title") if own_agency else item.identity_source
        outcome = session.changes.record_document(SeenDocument(
            agency=own_agency or item.agency or "",
            year=parsed.get("year") or item.year,
            title=item.title,
            published_on=date.fromisoformat(published_on) if published_on else None,
            sha256=item.sha256,
            url=item.url,
            capture_id=item.capture_id,
            role=item.role,
            record=record,
            parser_version=PARSER_VERSION if record is not None else None,
            identity_source=identity_source,
            template=item.template,
        ))
        stats.inc_value("govreports/report_documents")
        if outcome.new_report:
            stats.inc_value("govreports/reports_new")
        if outcome.new_version and outcome.new_version > 1:
            stats.inc_value("govreports/report_versions_new")
        stats.inc_value("govreports/alerts", len(outcome.events))
        self.report_ids.add(outcome.report_id)
        stats.set_value("govreports/reports_found", len(self.report_ids))
        return item

    async def _parse(self, session: ArchiveSession, item: ReportItem) -> dict[str, Any] | None:
        """Parse a report document once per sha256; return its record when parsing succeeded."""
        from scrapy.utils.defer import maybe_deferred_to_future

        from crawler.parsing import PARSER_VERSION, parse_bytes

        if item.sha256 in self.parsed:
            return self.parsed[item.sha256]
        stored = session.db.parse_result(item.sha256, PARSER_VERSION)
        if stored is not None and stored.status == "ok":  # parsed by an earlier crawl
            self.parsed[item.sha256] = stored.record
            return stored.record
        data = session.blobs.get(item.sha256)
        metadata = {"title": item.title, "published_on": item.published_on}
        outcome = await maybe_deferred_to_future(
            deferToThread(
                parse_bytes,
                data,
                filename=item.filename,
                content_type=item.content_type,
                timeout=self.parse_timeout,
                metadata=metadata,
                ocr_page_seconds=self.ocr_page_seconds,
            )
        )
        session.db.add_parse_result(
            sha256=item.sha256,
            parser_version=PARSER_VERSION,
            status=outcome.status,
            message=outcome.message,
            record=outcome.record,
        )
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"govreports/parse/{outcome.status}")
        if outcome.status != "ok":
            logger.warning("report document did not parse", extra={"url": item.url, "status": outcome.status,
                                                                   "reason": outcome.message})
        self.parsed[item.sha256] = outcome.record
        return outcome.record
