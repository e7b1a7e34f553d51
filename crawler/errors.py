"""The one exception tree: every error govreports raises on purpose derives from ``GovreportsError``.

Errors of lower libraries (SQLAlchemy, httpx, smtplib, Scrapy…) are translated where they are
met (``raise … from exc``). The CLI turns a ``GovreportsError`` into one clean message and a
non-zero exit (:func:`crawler.cli.errors.GovreportsGroup`); the web app into an error page or JSON
with the class's ``http_status`` (:mod:`crawler.web.app`). Classes also keep the built-in base
they had (``ValueError``, ``LookupError``…) so callers that catch those still work::

    GovreportsError
    ├── ConfigError                     a setting, option or config file is wrong
    │   ├── AlertConfigError            crawler.alerts.config
    │   ├── RegistryFileError           crawler.reports.registry: not a registry CSV
    │   ├── CronError                   crawler.schedules.cron
    │   └── ResolveSpecError            crawler.fetch.resolve: a --resolve value
    ├── InvalidInput                    a value given by the user is not acceptable   (400)
    │   ├── FilterError                 export filters and the web app's query parameters
    │   └── UnknownDivision             crawler.reports.divisions: not an official division
    ├── NotFound                        no such report, version, document or agency   (404)
    ├── ArchiveUnavailable              the archive database cannot be opened         (503)
    │   ├── DatabaseUnavailable         storage.read.readonly
    │   ├── DatabaseMissing             storage.db: a read command's SQLite file is not there
    │   └── ObjectStoreError            storage.s3: the archive's bucket cannot be used
    ├── CrawlSetupError                 crawler.run.runner: a crawl cannot start
    ├── RunOpenError                    crawler.run.opening: a crawl run cannot be opened
    │   └── RunLockedError              another crawl of the same seeds is running
    ├── DistributedError                crawler.run.distributed: Redis unreachable, run starting
    │   └── NoDistributedRun            no running distributed crawl to join
    ├── ArchiveFolderError              crawler.archive.folder: the archive folder is unusable
    ├── WriteFailed                     crawler.archive.writer_process: a write in the writer process
    ├── WaczError                       crawler.exports.wacz
    ├── ScheduleError                   crawler.schedules.store
    ├── BundleError                     crawler.exports.bundle
    ├── DeliveryError                   crawler.alerts.errors: a channel refused an alert
    │   └── PartialDelivery             crawler.alerts.email
    ├── ParseError                      a document could not be parsed into a record
    │   ├── NotAReport                  crawler.parsing.record
    │   └── ParseFailure                crawler.parsing.outcome
    └── FetchError                      a response could not be used
        ├── ContentDecodingError        crawler.fetch.content_encoding
        │   └── DecodedTooLarge         the decoded body is over DOWNLOAD_MAXSIZE
        ├── PrivateAddressRefused       crawler.fetch.addresses: not a public address
        └── RenderError                 crawler.discovery.rendering: Chromium could not render a page
            └── RenderIncomplete        the page's load event never came in time
"""

from __future__ import annotations

from typing import ClassVar


class GovreportsError(Exception):
    """Base of every error govreports raises on purpose.

    ``hint`` says what to do about it, ``topic`` what it is about (a prefix of the message);
    ``http_status`` is what the web app answers with.
    """

    hint: ClassVar[str] = ""
    topic: ClassVar[str] = ""
    http_status: ClassVar[int] = 500

    def explain(self) -> str:
        """One sentence for a person: what went wrong and, when known, what to do."""
        text = str(self).strip() or type(self).__name__
        if self.hint and self.hint not in text:
            text = f"{text.rstrip('.')}. {self.hint}"
        return f"{self.topic}: {text}" if self.topic else text


class ConfigError(GovreportsError):
    """A setting, command-line option or configuration file is wrong; the message says how to fix it."""


class InvalidInput(GovreportsError):
    """A value given by the user (a filter, a query parameter) is not acceptable."""

    http_status = 400


class NotFound(GovreportsError, LookupError):
    """No such report, version, document or agency in the archive."""

    http_status = 404


class ArchiveUnavailable(GovreportsError):
    """The archive database cannot be opened or read."""

    hint = "Check --db or GOVREPORTS_DB."
    http_status = 503


class ParseError(GovreportsError):
    """A document could not be parsed into a report record."""


class FetchError(GovreportsError):
    """A fetched response could not be used."""


class FilterError(InvalidInput, ValueError):
    """A filter value that cannot be used (bad year range, template…); the message says which."""
