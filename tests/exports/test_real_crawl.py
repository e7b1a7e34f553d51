"""Exports of a real crawl of the sample portal: every parsed report, its documents and WARCs."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import bagit
import pytest

from crawler.reports.cross_year import with_cross_year
from crawler.testbed.sample_portal import SamplePortal
from tests.crawl_helpers import GOVREPORTS, CrawlDirs, crawl_command, found_reports, run_cli
from tests.exports.helpers import cells, truths

pytestmark = pytest.mark.slow


def test_bundle_of_a_crawled_archive(tmp_path: Path) -> None:
    dirs = CrawlDirs(tmp_path / "crawl")
    with SamplePortal(seed=0) as portal:
        seeds = list(portal.seed_urls)
        crawl = run_cli(crawl_command(dirs, seeds, "--ca-file", str(portal.certificate_path),
                                   *portal.resolve_args()))
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    target = tmp_path / "bundle.zip"
    result = run_cli([*GOVREPORTS, "export", "--db", dirs.db_url, "--archive", str(dirs.archive),
                      "--bundle", str(target)])
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(target) as archive:
        archive.extractall(tmp_path / "out")
    bag = tmp_path / "out" / "bundle"
    bagit.Bag(str(bag)).validate()
    truth = truths(dirs.db_url)
    # every report parsed, the pre-2019 one (统计表 era) as template pre2019
    current = found_reports(dirs.db_url)
    assert truth and len(truth) == len(current)
    assert any(key[1] < 2019 for key in current)
    lines = (bag / "data" / "reports.jsonl").read_text("utf-8").splitlines()
    exported = {o["report_id"]: o for o in map(json.loads, lines)}
    assert set(truth) <= set(exported)
    assert set(exported) == set(truth)
    by_year = {(t.agency, t.year): t.record for t in truth.values()}
    for report_id, t in truth.items():  # checks include last year's (cross-year)
        assert exported[report_id]["parse"] == with_cross_year(t.record, by_year.get((t.agency, t.year - 1)))
        assert len(list((bag / "data" / "documents").glob(f"{t.sha256}.*"))) == 1
    values = (bag / "data" / "reports.values.csv").read_text("utf-8-sig").splitlines()
    assert len(values) - 1 == sum(len(cells(t.record)) for t in truth.values())
    warcs = {c["warc_file"] for o in exported.values() for c in o["captures"] if c["warc_file"]}
    assert warcs and warcs == {p.name for p in (bag / "data" / "warc").iterdir()}
    readme = (bag / "data" / "README.md").read_text("utf-8")
    assert "synthetic" not in readme and seeds[0] in readme
