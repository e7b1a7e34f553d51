"""Link every report found to the documents that carry it, and parse them.

The bytes are already archived by the wire middleware when an item arrives; this pipeline
records which report (agency, year) a document carries and stores the parsed record.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from twisted.internet.threads import deferToThread

from crawler.archive_session import ArchiveSession
from crawler.items import ReportItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ReportArchivePipeline:
    """Record reports and their documents; parse each new document once.

    Settings: ``GOVREPORTS_PARSE`` (bool), ``GOVREPORTS_PARSE_TIMEOUT`` (seconds, default 60).
    """

    def __init__(self, crawler: Crawler, *, parse: bool, parse_timeout: float) -> None:
        self.crawler = crawler
        self.parse = parse
        self.parse_timeout = parse_timeout
        self.parsed: set[str] = set()
        self.report_ids: set[int] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReportArchivePipeline:
        return cls(
            crawler,
            parse=crawler.settings.getbool("GOVREPORTS_PARSE", True),
            parse_timeout=crawler.settings.getfloat("GOVREPORTS_PARSE_TIMEOUT", 60.0),
        )

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportItem):
            return item
        session = ArchiveSession.for_crawler(self.crawler)
        stats = self.crawler.stats
        assert stats is not None
        report_id, new = session.db.link_report(
            agency=item.agency or "",
            year=item.year,
            title=item.title,
            published_on=date.fromisoformat(item.published_on) if item.published_on else None,
            sha256=item.sha256,
            url=item.url,
            capture_id=item.capture_id,
            role=item.role,
        )
        stats.inc_value("govreports/report_documents")
        if new:
            stats.inc_value("govreports/reports_new")
        self.report_ids.add(report_id)
        stats.set_value("govreports/reports_found", len(self.report_ids))
        if self.parse and item.sha256 not in self.parsed:
            self.parsed.add(item.sha256)
            await self._parse(session, item)
        return item

    async def _parse(self, session: ArchiveSession, item: ReportItem) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future

        try:
            from crawler.parsing import PARSER_VERSION, parse_bytes
        except ImportError:  # parser not installed in this build
            return
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
