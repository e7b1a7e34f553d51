"""The result of parsing one document: a status, a message and, when ok, the record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from crawler.errors import ParseError

STATUSES: Final[tuple[str, ...]] = (
    "ok", "not_a_report", "needs_ocr", "encrypted", "corrupt", "too_large", "unsupported",
    "timeout",
)


@dataclass
class ParseOutcome:
    """``status`` is one of :data:`STATUSES`; ``message`` says why and what to do next."""

    status: str
    message: str
    record: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class ParseFailure(ParseError):
    """A document that cannot be parsed, with the status to report."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
