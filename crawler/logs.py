"""Structured log lines, ``time level=… logger=… message k=v …``: the one formatter.

A record's ``extra=`` fields (URL, error kind, alert key…) are written after the message as
``key=value``; values with spaces, quotes or ``=`` are JSON-quoted. The crawl log
(:class:`StructuredLogs`, an extension enabled in :mod:`crawler.settings`), the alerts CLI and
the schedule runner all use :class:`KeyValueFormatter`.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

LOG_FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: ``extra=`` keys that Scrapy itself passes (objects, not fields worth a column).
_SCRAPY_EXTRAS = frozenset({"spider", "crawler"})
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"} | _SCRAPY_EXTRAS


def format_value(value: object) -> str:
    """One value as written after ``key=``: bare when it can be, JSON-quoted when not."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return str(value).lower()
    text = "-" if value is None else str(value)
    if not text or any(c.isspace() or c in '"=' for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


def format_fields(**fields: object) -> str:
    """``k=v k=v`` in the order given."""
    return " ".join(f"{key}={format_value(value)}" for key, value in fields.items())


def record_fields(record: logging.LogRecord) -> dict[str, object]:
    """The fields a record was logged with through ``extra=``."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class KeyValueFormatter(logging.Formatter):
    """The standard line, then each ``extra=`` field as ``key=value``; times in UTC."""

    def __init__(self, fmt: str | None = LOG_FORMAT, datefmt: str | None = DATE_FORMAT) -> None:
        super().__init__(fmt, datefmt)
        self.converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = record_fields(record)
        if not fields:
            return line
        head, newline, rest = line.partition("\n")  # fields stay on the first line (tracebacks)
        return f"{head} {format_fields(**fields)}{newline}{rest}"


def stderr_handler(stream: TextIO | None = None) -> logging.Handler:
    """A handler writing structured lines to stderr (or ``stream``)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    return handler


class StructuredLogs:
    """Scrapy extension: the crawl log's handler keeps ``extra=`` fields for the whole crawl.

    Scrapy builds its root handler (``LOG_FILE``, else stderr) with a plain
    :class:`logging.Formatter`, and builds it anew from the crawler's settings in
    ``Crawler.crawl()``, after the extensions (Scrapy 2.19 has no setting for its formatter
    class). So this gives the current handler a :class:`KeyValueFormatter` with the same format,
    and puts a :class:`_StructuredRoot` on the root logger, which gives it to the handler Scrapy
    builds next before that handler writes a line; taken off at ``engine_stopped``. For
    ``govreports crawl`` and ``scrapy crawl``.

    Settings: ``LOG_FORMAT``, ``LOG_DATEFORMAT`` (Scrapy's).
    """

    def __init__(self, fmt: str, datefmt: str | None) -> None:
        self.keeper = _StructuredRoot(KeyValueFormatter(fmt, datefmt))
        self.keeper.structure_scrapy_handler()
        logging.root.addHandler(self.keeper)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StructuredLogs:
        from scrapy import signals

        extension = cls(crawler.settings.get("LOG_FORMAT") or LOG_FORMAT,
                        crawler.settings.get("LOG_DATEFORMAT"))
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        """Off the root logger (Scrapy's handler keeps the formatter until it builds another)."""
        logging.root.removeHandler(self.keeper)


class _StructuredRoot(logging.Handler):
    """On the root logger ahead of the handler Scrapy (re)installs there (it appends its new
    one): before each record reaches that handler, gives the handler ``formatter`` when it has
    another. Writes nothing."""

    def __init__(self, formatter: logging.Formatter) -> None:
        from scrapy.utils.log import get_scrapy_root_handler

        super().__init__()
        self.setFormatter(formatter)
        self._scrapy_handler = get_scrapy_root_handler

    def structure_scrapy_handler(self) -> None:
        """Give Scrapy's root handler, if any, this formatter."""
        handler = self._scrapy_handler()
        if handler is not None and handler.formatter is not self.formatter:
            handler.setFormatter(self.formatter)

    def handle(self, record: logging.LogRecord) -> bool:
        self.structure_scrapy_handler()
        return False

    def emit(self, record: logging.LogRecord) -> None:
        """Nothing: :meth:`handle` does this handler's work."""
