"""Structured log lines of the schedule runner: ``event=NAME key=value ...``."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime

logger = logging.getLogger("govreports.schedules")
LOG_FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


def _value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return str(value).lower()
    text = "-" if value is None else str(value)
    if not text or any(c.isspace() or c in '"=' for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


def format_event(event: str, **fields: object) -> str:
    """``event=EVENT k=v ...``; values with spaces, quotes or ``=`` are JSON-quoted."""
    return " ".join([f"event={event}", *(f"{key}={_value(value)}" for key, value in fields.items())])


def log_event(event: str, level: int = logging.INFO, **fields: object) -> None:
    """Log one structured line on the ``govreports.schedules`` logger."""
    logger.log(level, format_event(event, **fields))


def configure_logging(level: int = logging.INFO) -> None:
    """Send the runner's lines to stderr, one a line, stamped in UTC (``...Z``)."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter(LOG_FORMAT, datefmt="%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
