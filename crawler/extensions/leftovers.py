"""Clean up what killed crawls left behind, when the next crawl starts.

A crawl killed with SIGKILL runs no clean-up code, so each crawl, as it opens, removes:

* ``.tmp-<pid>-…`` files in the blob store whose writer no longer runs;
* for an ``s3://`` archive, WARC files a killed writer left in the local staging folder: they
  are uploaded (``S3WarcStore.recover``);
* (conversion folders of dead processes are removed by
  :func:`crawler.run.children.remove_stale_temp_dirs`, run by the run owner;)
* Scrapy remote-control job files (they hold an access token) of ``portal`` crawls whose
  process no longer runs (left by versions that had the endpoint on).

Settings: ``GOVREPORTS_ARCHIVE`` (where the blobs are), ``GOVREPORTS_ARCHIVE_STORE`` (the
bucket, if any), ``REMOTE_CONTROL_JOBS_DIR``.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from scrapy import signals

from crawler.archive.stores import open_archive_storage, settings_target
from crawler.run.children import process_alive

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def sweep_job_files(settings: BaseSettings, spider_name: str = "portal") -> int:
    """Remove remote-control job files of ``spider_name`` crawls whose process is gone."""
    try:
        from scrapy.utils._remote_control import job_files_dir
    except ImportError:  # a Scrapy without the remote-control endpoint
        return 0
    removed = 0
    folder = job_files_dir(settings)
    for path in folder.glob("*.json") if folder.is_dir() else ():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            pid = int(data.get("pid", 0))
        except (OSError, ValueError, TypeError):
            continue
        if data.get("spider") == spider_name and pid and not process_alive(pid):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class LeftoverCleanup:
    """Scrapy extension: sweep leftovers of killed crawls as the crawl opens."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeftoverCleanup:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        settings = self.crawler.settings
        storage = open_archive_storage(settings_target(settings.get("GOVREPORTS_ARCHIVE"),
                                                       settings.get("GOVREPORTS_ARCHIVE_STORE")))
        counts = {
            "blob_temp_files": storage.blobs.sweep_temporary(),
            "warc_files_uploaded": storage.warcs.recover(),
            "job_files": sweep_job_files(settings),
        }
        if any(counts.values()):
            logger.info("removed leftovers of killed crawls", extra=counts)
