"""Structured log lines of the schedule runner: ``event=NAME key=value ...``.

Lines are written by :class:`crawler.logs.KeyValueFormatter`, the project's one formatter.
"""

from __future__ import annotations

import logging

from crawler.logs import stderr_handler

logger = logging.getLogger("govreports.schedules")


def log_event(event: str, level: int = logging.INFO, **fields: object) -> None:
    """Log ``event=EVENT`` on the ``govreports.schedules`` logger, ``fields`` as ``key=value``."""
    logger.log(level, "event=%s", event, extra=fields)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the runner's lines to stderr, one a line, stamped in UTC (``...Z``)."""
    logger.handlers[:] = [stderr_handler()]
    logger.setLevel(level)
    logger.propagate = False
