"""A Frictionless Data Package (``datapackage.json``) describing every exported file.

Every CSV, Parquet and JSONL file is a resource with a Table Schema listing each of its
fields (name, type, description), its size and sha256 (``hash``). The CSV files are UTF-8
with a byte-order mark, which Frictionless reads as ``utf-8``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from crawler.exports.columns import REPORT_FIELDS, TABLES, Column

#: Top-level fields of a JSONL line (nested values are objects and arrays).
JSONL_FIELDS: tuple[Column, ...] = (
    *REPORT_FIELDS,
    Column("source_urls", "array", "every URL the report was found at"),
    Column("documents", "array", "documents carrying the report: sha256, url, role, content_type, size, version"),
    Column("captures", "array", "captures of those documents: url, fetched_at, status, sha256, warc_file, "
           "warc_offset, warc_record_id, run_id"),
    Column("versions", "array", "versions: number, sha256, url, parser_version, first_seen_at, "
           "last_seen_at, changes (numbers and text changed from the previous version)"),
    Column("parse", "object", "the parse record of the current version (docs/record.md), or null"),
)
_MEDIA = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet",
          "jsonl": "application/x-ndjson"}


def sha256_of(path: Path) -> str:
    """sha256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def table_schema(columns: tuple[Column, ...], *, primary_key: str | None = None) -> dict[str, Any]:
    """A Table Schema for the columns (``missingValues``: the empty string)."""
    schema: dict[str, Any] = {
        "fields": [{"name": c.name, "type": c.type, "description": c.description} for c in columns],
        "missingValues": [""],
    }
    if primary_key:
        schema["primaryKey"] = [primary_key]
    return schema


def resource(path: Path, root: Path, table: str | None, *, name: str) -> dict[str, Any]:
    """The resource descriptor of one data file (``table``: reports, values or checks; None: JSONL)."""
    fmt = path.suffix.lstrip(".")
    columns = TABLES[table] if table else JSONL_FIELDS
    descriptor: dict[str, Any] = {
        "name": name,
        "path": path.relative_to(root).as_posix(),
        "type": "table",
        "format": fmt,
        "mediatype": _MEDIA[fmt],
        "bytes": path.stat().st_size,
        "hash": f"sha256:{sha256_of(path)}",
        "schema": table_schema(columns, primary_key="report_id" if table == "reports" or not table
                               else None),
    }
    if fmt in ("csv", "jsonl"):
        descriptor["encoding"] = "utf-8"
    if fmt == "csv":
        descriptor["dialect"] = {"delimiter": ",", "quoteChar": '"', "header": True}
    return descriptor


def datapackage(files: list[tuple[Path, str | None]], root: Path, *, title: str,
                description: str, version: str, created: str) -> dict[str, Any]:
    """The package descriptor for ``files`` ((path, table) pairs, paths under ``root``)."""
    resources = []
    for path, table in files:
        base = path.name.replace(".", "-").lower()
        resources.append(resource(path, root, table, name=base))
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "govreports-export",
        "title": title,
        "description": description,
        "version": version,
        "created": created,
        "resources": resources,
    }
