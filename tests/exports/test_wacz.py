"""``export --wacz``: a WACZ that ``wacz validate`` accepts, whose WARCs, index, pages and hashes
are those of the archive."""

from __future__ import annotations

import gzip
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.cli.main import main
from crawler.exports import ExportFilters
from crawler.exports.wacz import WaczError, write_wacz
from crawler.testbed.synthetic_archive import SyntheticArchive
from storage.db import make_engine
from storage.models import Report


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def wacz_file(small_archive: SyntheticArchive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("wacz") / "reports.wacz"
    result = CliRunner().invoke(main, ["export", "--db", small_archive.db_url, "--archive",
                                       str(small_archive.archive_dir), "--wacz", str(target),
                                       "--year-from", "2024"])
    assert result.exit_code == 0, result.output
    assert "wrote a WACZ of" in result.stdout
    return target


def test_wacz_validates(wacz_file: Path) -> None:
    from wacz.main import main as wacz_main

    assert wacz_main(["validate", "-f", str(wacz_file)]) == 0


def test_wacz_holds_the_archives_warcs_index_pages_and_hashes(
        wacz_file: Path, small_archive: SyntheticArchive) -> None:
    with zipfile.ZipFile(wacz_file) as archive:
        names = set(archive.namelist())
        warcs = {n for n in names if n.startswith("archive/")}
        assert warcs and {"indexes/index.cdx.gz", "pages/pages.jsonl", "datapackage.json"} <= names
        for name in warcs:  # the archive's own WARC files, byte for byte
            source = small_archive.archive_dir / "warc" / Path(name).name
            assert archive.read(name) == source.read_bytes()
        package = json.loads(archive.read("datapackage.json"))
        described = {r["path"]: r for r in package["resources"]}
        assert set(described) == names - {"datapackage.json", "datapackage-digest.json"}
        for path, resource in described.items():
            assert resource["hash"] == f"sha256:{_sha256(archive.read(path))}"
            assert resource["bytes"] == len(archive.read(path))
        lines = archive.read("pages/pages.jsonl").decode("utf-8").splitlines()
        index = gzip.decompress(archive.read("indexes/index.cdx.gz")).decode("utf-8")
    header, pages = json.loads(lines[0]), [json.loads(line) for line in lines[1:]]
    assert header["format"] == "json-pages-1.0"
    engine = make_engine(small_archive.db_url)
    with Session(engine) as session:
        titles = set(session.scalars(select(Report.title).where(Report.year >= 2024)))
    engine.dispose()
    assert pages and {p["title"] for p in pages} <= titles  # each page is titled with its report
    indexed = {json.loads(line.split(" ", 2)[2])["url"] for line in index.splitlines()}
    assert {p["url"] for p in pages} <= indexed, "every page can be replayed from the index"


def test_wacz_of_nothing_is_an_error(small_archive: SyntheticArchive, tmp_path: Path) -> None:
    engine = make_engine(small_archive.db_url)
    with Session(engine) as session, pytest.raises(WaczError, match="widen the filters"):
        write_wacz(session, tmp_path / "x.wacz", ExportFilters(year_from=2100),
                   archive_dir=small_archive.archive_dir)
    engine.dispose()
    assert not (tmp_path / "x.wacz").exists()
