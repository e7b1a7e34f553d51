"""Exports stream: peak memory does not grow with the number of reports exported."""

from __future__ import annotations

import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from crawler.exports import ExportFilters, export_to, write_bundle
from crawler.testbed.synthetic_archive import SyntheticArchive, build_synthetic_archive
from storage.db import make_engine

BATCH = 20


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> SyntheticArchive:
    root = tmp_path_factory.mktemp("large")
    return build_synthetic_archive(f"sqlite:///{root / 'a.db'}", root / "archive", reports=500, seed=3)


def _peak(archive: SyntheticArchive, run: Callable[[Session], list[Path]],
          warm: Callable[[Session], list[Path]] | None = None) -> tuple[int, int]:
    """(tracemalloc peak while running the export, bytes written)."""
    engine = make_engine(archive.db_url)
    with Session(engine) as session:
        if warm is not None:
            warm(session)  # caches (compiled statements, imports) filled outside the measurement
        tracemalloc.start()
        try:
            paths = run(session)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    engine.dispose()
    return peak, sum(p.stat().st_size for p in paths)


def _table(fmt: str, out: Path, filters: ExportFilters) -> Callable[[Session], list[Path]]:
    return lambda session: export_to(session, fmt, out, filters, batch_size=BATCH).paths


def _bundle(target: Path, archive: SyntheticArchive,
            filters: ExportFilters) -> Callable[[Session], list[Path]]:
    def run(session: Session) -> list[Path]:
        shutil.rmtree(target, ignore_errors=True)
        write_bundle(session, target, filters, archive_dir=archive.archive_dir, batch_size=BATCH)
        return [p for p in target.rglob("*") if p.is_file()]
    return run


SMALL = ExportFilters(year_to=2019)  # about a ninth of the archive


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "bundle"])
def test_peak_memory_is_flat(archive: SyntheticArchive, tmp_path: Path, fmt: str) -> None:
    def job(name: str, filters: ExportFilters) -> Callable[[Session], list[Path]]:
        if fmt == "bundle":
            return _bundle(tmp_path / name, archive, filters)
        return _table(fmt, tmp_path / f"{name}.{fmt}", filters)

    small_peak, small_size = _peak(archive, job("small", SMALL), warm=job("warm", SMALL))
    full_peak, full_size = _peak(archive, job("full", ExportFilters()))
    assert full_peak < 1.5 * small_peak + 1_000_000, (small_peak, full_peak)  # flat…
    if fmt != "parquet":  # (Parquet compresses 500 reports to less than a batch in memory)
        assert full_size > 5 * small_size  # …while the export is much bigger…
        assert full_peak < full_size / 2, (full_peak, full_size)  # …than the memory it took
