"""Export the archive's reports: JSONL (one nested record per report) or CSV.

JSONL fields: report_id, agency, year, title, published_on, source_urls, documents
[{sha256, url, content_type, size}], captures [{url, fetched_at, status, sha256, warc_file,
warc_offset}], parse (the parsed record of the report's best document, or null).
CSV: one row per report with the scalar fields and ``;``-joined source URLs and sha256s,
and a second, tidy long file ``<name>.values.csv`` (report_id, table, row, column, value).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

REPORT_COLUMNS = ("report_id", "agency", "year", "title", "published_on", "source_urls", "sha256s")
VALUE_COLUMNS = ("report_id", "table", "row", "column", "value")
_TABLES = ("active_disclosure", "applications", "review_litigation")


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def write_jsonl(records: Iterable[dict[str, Any]], out: Path) -> int:
    """Write one JSON object per line; return how many."""
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")
            count += 1
    return count


def tidy_values(record: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The parsed table cells of one exported report as (report_id, table, row, column, value)."""
    parsed = record.get("parse")  # the parsed record itself (see ArchiveDB.iter_export)
    if not isinstance(parsed, dict):
        return
    for table in _TABLES:
        for row, columns in (parsed.get(table) or {}).items():
            for column, value in (columns or {}).items():
                yield (record["report_id"], table, row, column, value)


def write_csv(records: Iterable[dict[str, Any]], out: Path) -> int:
    """Write the per-report CSV (UTF-8 with BOM) and the tidy values CSV beside it."""
    count = 0
    values_path = out.with_name(out.stem + ".values.csv")
    with out.open("w", encoding="utf-8-sig", newline="") as handle, values_path.open(
        "w", encoding="utf-8-sig", newline=""
    ) as values_handle:
        writer = csv.writer(handle)
        values = csv.writer(values_handle)
        writer.writerow(REPORT_COLUMNS)
        values.writerow(VALUE_COLUMNS)
        for record in records:
            writer.writerow(
                [
                    record["report_id"],
                    record["agency"],
                    record["year"],
                    record["title"],
                    _json_default(record["published_on"]) if record.get("published_on") else "",
                    ";".join(record.get("source_urls") or []),
                    ";".join(d["sha256"] for d in record.get("documents") or []),
                ]
            )
            values.writerows(tidy_values(record))
            count += 1
    return count
