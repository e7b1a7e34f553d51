"""The research bundle: a valid BagIt bag with data, documents, WARC files, datapackage, README."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import bagit
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.exports import BundleError, ExportFilters, write_bundle
from crawler.exports.bundle import BundleResult
from crawler.exports.codebook import CODEBOOK_COLUMNS
from crawler.exports.columns import TABLES
from crawler.exports.datapackage import JSONL_FIELDS
from crawler.testbed.synthetic_archive import SyntheticArchive
from crawler.version import software_version
from storage.db import make_engine
from storage.models import Capture, ReportDocument
from tests.exports.helpers import Truth

FILTERS = ExportFilters(year_from=2023)


def _bundle(archive: SyntheticArchive, target: Path, filters: ExportFilters = FILTERS,
            archive_dir: Path | None = None) -> BundleResult:
    engine = make_engine(archive.db_url)
    try:
        with Session(engine) as session:
            return write_bundle(session, target, filters, batch_size=25,
                                archive_dir=archive_dir or archive.archive_dir)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def bag_dir(small_archive: SyntheticArchive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("bundle") / "bag"
    _bundle(small_archive, target)
    return target


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bag_validates_and_manifest_matches(bag_dir: Path) -> None:
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # raises on any missing, extra or changed file
    listed = dict(line.split(maxsplit=1)[::-1] for line in
                  (bag_dir / "manifest-sha256.txt").read_text("utf-8").splitlines())
    files = {p.relative_to(bag_dir).as_posix() for p in (bag_dir / "data").rglob("*") if p.is_file()}
    assert set(listed) == files
    for name, digest in listed.items():
        assert _sha256(bag_dir / name) == digest


def test_bag_holds_the_selected_reports_documents_and_warcs(
        bag_dir: Path, small_archive: SyntheticArchive, small_truth: dict[int, Truth]) -> None:
    selected = {rid for rid, t in small_truth.items() if t.year >= 2023}
    lines = (bag_dir / "data" / "reports.jsonl").read_text("utf-8").splitlines()
    assert {json.loads(line)["report_id"] for line in lines} == selected
    engine = create_engine(small_archive.db_url)
    with Session(engine) as session:
        digests = set(session.scalars(select(ReportDocument.sha256).where(
            ReportDocument.report_id.in_(selected))))
        warcs = set(session.scalars(select(Capture.warc_file).where(Capture.sha256.in_(digests))))
    engine.dispose()
    documents = list((bag_dir / "data" / "documents").iterdir())
    assert {p.stem for p in documents} == digests
    assert all(_sha256(p) == p.stem for p in documents)
    assert {p.suffix for p in documents} <= {".html", ".pdf"}
    assert {p.name for p in (bag_dir / "data" / "warc").iterdir()} == warcs
    for name in warcs:
        assert _sha256(bag_dir / "data" / "warc" / name) == \
            _sha256(small_archive.archive_dir / "warc" / name)


def test_datapackage_describes_every_field_of_every_file(bag_dir: Path) -> None:
    import pyarrow.parquet as pq

    data = bag_dir / "data"
    package = json.loads((data / "datapackage.json").read_text("utf-8"))
    described = {r["path"]: r for r in package["resources"]}
    data_files = {p.name for p in data.iterdir() if p.suffix in (".csv", ".parquet", ".jsonl")}
    assert set(described) == data_files and len(data_files) == 13  # 6 tables as CSV and Parquet, JSONL
    for path, resource in described.items():
        file = data / path
        names = [f["name"] for f in resource["schema"]["fields"]]
        assert all(f["type"] and f["description"] for f in resource["schema"]["fields"])
        assert resource["hash"] == f"sha256:{_sha256(file)}"
        # frictionless counts Parquet bytes of its pandas stream, not of the file: no bytes there
        assert resource.get("bytes") == (None if file.suffix == ".parquet" else file.stat().st_size)
        if file.suffix == ".csv":
            with file.open(encoding="utf-8-sig", newline="") as handle:
                assert next(csv.reader(handle)) == names
        elif file.suffix == ".parquet":
            schema = pq.read_schema(file)
            assert schema.names == names
            kinds = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
            arrow = {"integer": "int64", "number": "double", "string": "string", "boolean": "bool",
                     "date": "date32[day]", "datetime": "timestamp[us, tz=UTC]"}
            assert all(str(schema.field(n).type) == arrow[kinds[n]] for n in names)
        else:
            assert names == [c.name for c in JSONL_FIELDS]
            for line in file.read_text("utf-8").splitlines():
                assert list(json.loads(line)) == names
    table_of = {"reports.csv": "reports", "reports.values.csv": "values", "reports.checks.csv": "checks",
                "reports.sections.csv": "sections", "reports.statistics.csv": "statistics"}
    for path, table in table_of.items():
        assert [f["name"] for f in described[path]["schema"]["fields"]] == [c.name for c in TABLES[table]]
    assert [f["name"] for f in described["reports.codebook.parquet"]["schema"]["fields"]] == \
        [c.name for c in CODEBOOK_COLUMNS]


def test_frictionless_validate_passes_on_every_resource(bag_dir: Path) -> None:
    """The validator itself, as a researcher runs it: every resource, Parquet included."""
    result = subprocess.run([str(Path(sys.executable).with_name("frictionless")), "validate", "--json",
                             "datapackage.json"], cwd=bag_dir / "data", capture_output=True, text=True,
                            timeout=600, check=False)
    report = json.loads(result.stdout)
    tasks = {task["name"]: task["valid"] for task in report["tasks"]}
    assert len(tasks) == 13 and {n for n in tasks if n.endswith("-parquet")}, tasks
    assert report["valid"] and result.returncode == 0, [
        (t["name"], t["errors"][:2]) for t in report["tasks"] if not t["valid"]]


def test_readme_says_how_when_and_with_what(bag_dir: Path, small_archive: SyntheticArchive) -> None:
    readme = (bag_dir / "data" / "README.md").read_text("utf-8")
    assert software_version() in readme and "parser" in readme
    assert f"synthetic-archive` (seed {small_archive.seed})" in readme
    assert "year_from=2023" in readme and "| run | started" in readme
    info = (bag_dir / "bag-info.txt").read_text("utf-8")
    assert "Govreports-Reports:" in info and "Bagging-Date:" in info


def test_zip_bundle_unzips_to_a_valid_bag(small_archive: SyntheticArchive, tmp_path: Path) -> None:
    target = tmp_path / "out" / "reports-2025.zip"
    result = _bundle(small_archive, target, ExportFilters(year_from=2025, checks="ok"))
    assert result.path == target and result.reports > 0
    assert not [p for p in target.parent.iterdir() if p != target]  # no work folder left behind
    with zipfile.ZipFile(target) as archive:
        archive.extractall(tmp_path / "unzipped")
    bagit.Bag(str(tmp_path / "unzipped" / "reports-2025")).validate()


def test_refuses_a_full_folder_and_a_missing_archive(small_archive: SyntheticArchive,
                                                     tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    with pytest.raises(BundleError, match="not an empty folder"):
        _bundle(small_archive, full)
    assert (full / "keep.txt").read_text() == "mine"
    with pytest.raises(BundleError, match="--archive"):
        _bundle(small_archive, tmp_path / "b", archive_dir=tmp_path / "nowhere")
    assert not (tmp_path / "b").exists()
