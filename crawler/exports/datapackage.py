"""A Frictionless Data Package (``datapackage.json``) describing every exported file.

Built with frictionless's own classes (``Package``, ``Resource``, ``Schema``), so what we
write is what ``frictionless validate`` reads. Every CSV, Parquet and JSONL file is a
resource with a Table Schema listing each field (name, type, description) and its sha256
(``hash``); CSV and JSONL also carry their size. Parquet resources carry no ``bytes``:
frictionless reads Parquet through pyarrow and pandas and counts the bytes of that stream,
not of the file (the BagIt manifest holds every file's sha256). The codebook is a resource
too. CSV files are UTF-8 with a byte-order mark, which frictionless reads as ``utf-8``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from frictionless import Package, Resource, Schema

from crawler.exports.codebook import CODEBOOK_COLUMNS
from crawler.exports.columns import REPORT_FIELDS, TABLES, Column

#: Top-level fields of a JSONL line (nested values are objects and arrays).
JSONL_FIELDS: tuple[Column, ...] = (
    *REPORT_FIELDS,
    Column("source_urls", "array", "every URL the report was found at"),
    Column("documents", "array", "documents carrying the report: sha256, url, role, content_type, size, version"),
    Column("captures", "array", "captures of those documents: url (as requested), final_url (after "
           "redirects: the URL of its WARC record), fetched_at, status, sha256, warc_file, "
           "warc_offset, warc_record_id, run_id"),
    Column("versions", "array", "versions: number, sha256, url, parser_version, first_seen_at, "
           "last_seen_at, changes (numbers and text changed from the previous version)"),
    Column("parse", "object", "the parse record of the current version (docs/record.md), or null"),
)
_MEDIA = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet",
          "jsonl": "application/x-ndjson"}
#: How missing values read back: empty in CSV; pandas' NaN / NaT when frictionless reads Parquet.
_MISSING = {"csv": [""], "jsonl": [""], "parquet": ["", "nan", "NaT", "None", "<NA>"]}
#: Which table each kind of file holds (None: JSONL, one object per report).
Table = str | None


def sha256_of(path: Path) -> str:
    """sha256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def columns_of(table: Table) -> tuple[Column, ...]:
    """The columns of a table name (``codebook`` included; None: the JSONL fields)."""
    if table is None:
        return JSONL_FIELDS
    if table == "codebook":
        return CODEBOOK_COLUMNS
    return TABLES[table]


def table_schema(columns: tuple[Column, ...], *, missing: list[str],
                 primary_key: str | None = None) -> Schema:
    """A Table Schema for the columns."""
    descriptor: dict[str, Any] = {
        "fields": [{"name": c.name, "type": c.type, "description": c.description} for c in columns],
        "missingValues": missing,
    }
    if primary_key:
        descriptor["primaryKey"] = [primary_key]
    return Schema.from_descriptor(descriptor)


def resource(path: Path, root: Path, table: Table, *, name: str) -> Resource:
    """The resource of one data file (``table``: reports, values, checks, sections, statistics, codebook;
    None: JSONL)."""
    fmt = path.suffix.lstrip(".")
    keyed = table == "reports" or table is None
    schema = table_schema(columns_of(table), missing=_MISSING[fmt],
                          primary_key="report_id" if keyed else None)
    options: dict[str, Any] = {"hash": f"sha256:{sha256_of(path)}"}
    if fmt in ("csv", "jsonl"):
        options |= {"bytes": path.stat().st_size, "encoding": "utf-8"}
    if fmt == "csv":
        options["dialect"] = {"csv": {"delimiter": ",", "quoteChar": '"'}, "header": True}
    descriptor = {"name": name, "path": path.relative_to(root).as_posix(), "type": "table",
                  "format": fmt, "mediatype": _MEDIA[fmt], "schema": schema.to_descriptor(),
                  **options}
    return Resource.from_descriptor(descriptor, basepath=str(root))


def datapackage(files: list[tuple[Path, Table]], root: Path, *, title: str,
                description: str, version: str, created: str) -> Package:
    """The package of ``files`` ((path, table) pairs, paths under ``root``)."""
    resources = [resource(path, root, table, name=path.name.replace(".", "-").lower())
                 for path, table in files]
    return Package(name="govreports-export", title=title, description=description, version=version,
                   created=created, resources=resources, basepath=str(root))


def write_datapackage(package: Package, path: Path) -> None:
    """Write ``datapackage.json`` (paths relative to its folder)."""
    package.to_json(str(path))
