"""Run an export: select reports and hand each to one or more table writers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from crawler.exports.query import DEFAULT_BATCH, ExportFilters, iter_reports
from crawler.exports.writers import TableWriter, open_writer

Progress = Callable[[int], None]


@dataclass
class ExportResult:
    """How many reports were written, and where."""

    reports: int
    paths: list[Path] = field(default_factory=list)


def export_reports(session: Session, filters: ExportFilters, writers: Sequence[TableWriter], *,
                   progress: Progress | None = None, batch_size: int = DEFAULT_BATCH) -> int:
    """Write every selected report to every writer (closing them); return how many.

    ``progress`` is called with the number of reports examined since the last call.
    """
    count = 0
    try:
        for _, report in iter_reports(session, filters, batch_size=batch_size):
            if report is not None:
                for writer in writers:
                    writer.add(report)
                count += 1
            if progress is not None:
                progress(1)
    finally:
        for writer in writers:
            writer.close()
    return count


def export_to(session: Session, fmt: str, out: Path, filters: ExportFilters | None = None, *,
              progress: Progress | None = None, batch_size: int = DEFAULT_BATCH,
              names: str = "default") -> ExportResult:
    """Export the selected reports as ``fmt`` (csv, jsonl, parquet, xlsx) to ``out``,
    column names in style ``names`` (``default`` or ``stata``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = open_writer(fmt, out, names)
    count = export_reports(session, filters or ExportFilters(), [writer], progress=progress,
                           batch_size=batch_size)
    return ExportResult(count, list(writer.paths))
