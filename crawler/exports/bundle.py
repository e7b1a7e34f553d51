"""A research bundle: a BagIt bag with the data files, documents, WARC files and a README.

Layout (inside the bag's ``data/``): ``reports.csv`` (+ ``.values.csv``, ``.checks.csv``),
the same tables as Parquet, ``reports.jsonl``, ``datapackage.json`` (Frictionless Data),
``README.md`` (how, when and with what the data was collected), ``documents/<sha256>.<ext>``
(the original bytes of every document of the selected reports) and ``warc/`` (every WARC
file holding a capture of them), read from the archive's folder or its ``s3://`` bucket. ``manifest-sha256.txt`` lists the sha256 of every file.
A target ending in ``.zip`` gets the bag zipped, in a folder named after the file.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bagit
from sqlalchemy.orm import Session

from crawler.errors import GovreportsError
from crawler.exports.datapackage import datapackage, write_datapackage
from crawler.exports.query import DEFAULT_BATCH, ExportedReport, ExportFilters
from crawler.exports.readme import bundle_readme
from crawler.exports.run import Progress, export_reports
from crawler.exports.writers import (
    CsvTables,
    JsonlTable,
    ParquetTables,
    TableWriter,
    codebook_path,
    table_paths,
)
from crawler.reports.media import extension_for
from crawler.version import software_version
from storage.blobs import LocalBlobStore
from storage.objects import ArchiveStorage, BlobStore, open_storage
from storage.read.documents import recorded_blob_path
from storage.s3 import is_object_url

_STORED = (".gz", ".pdf", ".docx", ".zip", ".parquet", ".xlsx")


class BundleError(GovreportsError):
    """The bundle cannot be written (target not empty, a document or WARC file missing)."""


@dataclass
class BundleResult:
    """What went into the bundle."""

    path: Path
    reports: int
    documents: int
    warc_files: list[str] = field(default_factory=list)
    run_ids: list[int] = field(default_factory=list)


class DocumentCollector:
    """A writer that copies each selected report's documents and notes their WARC files and runs."""

    def __init__(self, session: Session, blobs: BlobStore, documents_dir: Path) -> None:
        self.paths: list[Path] = []
        self.session = session
        self.blobs = blobs
        self.dir = documents_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.copied = 0
        self.warc_files: set[str] = set()
        self.run_ids: set[int] = set()

    def add(self, report: ExportedReport) -> None:
        for doc in report.documents:
            target = self.dir / f"{doc['sha256']}{extension_for(doc['content_type'])}"
            if not target.exists():
                self._copy(doc["sha256"], target)
                self.copied += 1
        for capture in report.captures:
            if capture["warc_file"]:
                self.warc_files.add(capture["warc_file"])
            if capture["run_id"] is not None:
                self.run_ids.add(capture["run_id"])

    def _copy(self, sha256: str, target: Path) -> None:
        """Copy the blob to ``target``: from the store, else from its recorded path."""
        if isinstance(self.blobs, LocalBlobStore):
            path = self.blobs.path_for(sha256)
            if path.is_file():
                shutil.copyfile(path, target)
                return
        elif self.blobs.exists(sha256):
            target.write_bytes(self.blobs.get(sha256))
            return
        recorded = recorded_blob_path(self.session, sha256)
        if recorded and not is_object_url(recorded) and Path(recorded).is_file():
            shutil.copyfile(recorded, target)
            return
        raise BundleError(f"document {sha256} is not in the blob store {self.blobs.root}; "
                          "pass the archive the crawl wrote with --archive")

    def close(self) -> None:
        return None


def write_bundle(session: Session, target: Path, filters: ExportFilters | None = None, *,
                 archive_dir: Path | None = None, storage: ArchiveStorage | None = None,
                 progress: Progress | None = None,
                 batch_size: int = DEFAULT_BATCH, now: datetime | None = None) -> BundleResult:
    """Write the selected reports as a BagIt bag at ``target`` (a folder, or a ``.zip`` file),
    their documents and WARC files read from ``storage`` (default: the folder ``archive_dir``)."""
    if storage is None:
        if archive_dir is None:
            raise TypeError("write_bundle needs archive_dir or storage")
        storage = open_storage(archive_dir)
    filters = filters or ExportFilters()
    now = now or datetime.now(UTC)
    zipped = target.suffix.lower() == ".zip"
    if zipped:
        if target.exists():
            raise BundleError(f"{target} exists; remove it or choose another name")
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".bundle-", dir=target.parent))
        bag_dir = work / target.stem
        bag_dir.mkdir()
    else:
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise BundleError(f"{target} exists and is not an empty folder")
        bag_dir = target
        bag_dir.mkdir(parents=True, exist_ok=True)
    try:
        result = _fill(session, bag_dir, filters, storage, progress, batch_size, now)
        if zipped:
            _zip(bag_dir, target)
            result.path = target
    except BaseException:
        if not zipped:
            shutil.rmtree(bag_dir, ignore_errors=True)
        raise
    finally:
        if zipped:
            shutil.rmtree(work, ignore_errors=True)
    return result


def _fill(session: Session, bag_dir: Path, filters: ExportFilters, storage: ArchiveStorage,
          progress: Progress | None, batch_size: int, now: datetime) -> BundleResult:
    csv_tables = CsvTables(bag_dir / "reports.csv")
    parquet_tables = ParquetTables(bag_dir / "reports.parquet")
    jsonl = JsonlTable(bag_dir / "reports.jsonl")
    collector = DocumentCollector(session, storage.blobs, bag_dir / "documents")
    writers: list[TableWriter] = [csv_tables, parquet_tables, jsonl, collector]
    count = export_reports(session, filters, writers, progress=progress, batch_size=batch_size)
    warc_dir = bag_dir / "warc"
    warc_dir.mkdir()
    for name in sorted(collector.warc_files):
        try:
            storage.warcs.fetch(name, warc_dir / name)
        except FileNotFoundError as exc:
            raise BundleError(f"WARC file {name} is missing from {storage.url}; pass the archive "
                              "the crawl wrote with --archive") from exc
    files: list[tuple[Path, str | None]] = []
    for out in (bag_dir / "reports.csv", bag_dir / "reports.parquet"):
        files += [(path, table) for table, path in table_paths(out).items()]
        files.append((codebook_path(out), "codebook"))
    files.append((bag_dir / "reports.jsonl", None))
    version = software_version()
    package = datapackage(
        files, bag_dir, title="Government information disclosure annual reports (govreports export)",
        description=f"{count} reports exported by {version}; see README.md.",
        version=now.strftime("%Y.%m.%d"), created=now.isoformat(timespec="seconds"))
    write_datapackage(package, bag_dir / "datapackage.json")
    run_ids = sorted(collector.run_ids)
    (bag_dir / "README.md").write_text(bundle_readme(
        session, reports=count, documents=collector.copied, warc_files=sorted(collector.warc_files),
        run_ids=run_ids, filters=filters, now=now, files=[p for p, _ in files]), encoding="utf-8")
    info: dict[str, Any] = {
        "Source-Organization": "govreports",
        "External-Description": "Government information disclosure annual reports "
                                "(政府信息公开工作年度报告): data files, original documents, WARC files",
        "Bag-Software-Agent": f"{version} with bagit.py {getattr(bagit, 'VERSION', '')}".strip(),
        "Govreports-Reports": str(count),
        "Govreports-Filters": json.dumps(filters.as_dict(), ensure_ascii=False) or "{}",
        "Govreports-Crawl-Runs": ",".join(str(r) for r in run_ids) or "none",
    }
    bagit.make_bag(str(bag_dir), info, checksums=["sha256"])
    return BundleResult(bag_dir, count, collector.copied, sorted(collector.warc_files), run_ids)


def _zip(bag_dir: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
        for path in sorted(bag_dir.rglob("*")):
            if path.is_file():
                stored = path.suffix.lower() in _STORED
                archive.write(path, f"{bag_dir.name}/{path.relative_to(bag_dir).as_posix()}",
                              compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    partial.replace(target)
