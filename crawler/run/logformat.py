"""Log line formats of a crawl: ``kv`` (``key=value`` lines, :mod:`crawler.logs`) or ``json``
(JSON lines), for the run log (``crawler.extensions.run_owner``) and progress lines.

Both keep every structured field passed as ``extra={...}`` (the URL of a failed fetch, a
count), which Python's ``%``-style formats drop.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from crawler.logs import KeyValueFormatter, record_fields

#: ``--log-format`` choices.
LOG_FORMATS = ("kv", "json")


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class JsonLinesFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and every structured field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {"time": _timestamp(record), "level": record.levelname,
                                    "logger": record.name, "message": record.getMessage()}
        entry |= record_fields(record)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter_for(name: str) -> logging.Formatter:
    """The formatter of a ``--log-format`` choice."""
    if name == "json":
        return JsonLinesFormatter()
    if name == "kv":
        return KeyValueFormatter()  # the project's one key=value formatter (crawler.logs)
    raise ValueError(f"unknown log format {name!r}: one of {', '.join(LOG_FORMATS)}")
