"""The crawl command a schedule runs, and finding the paused crawl it resumes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from crawler.run.runner import RUN_FILE, job_dir
from crawler.schedules.command import check_options, crawl_command, paused_run


def test_crawl_command_carries_the_options() -> None:
    argv = crawl_command(
        schedule_id=7, seeds=["http://a.gov.cn/", "https://b.gov.cn/"], db_url="sqlite:///g.db",
        archive_dir=Path("/data/archive"), resume=True,
        options={"seeds_file": "/x/seeds.txt", "tz": "Asia/Shanghai", "preset": None, "local": True,
                 "no_parse": False, "max_pages": 40, "insecure_hosts": ["a.gov.cn", "c.gov.cn"]},
    )
    assert argv[:4] == [sys.executable, "-m", "crawler.cli.main", "crawl"]
    assert argv[4:] == ["http://a.gov.cn/", "https://b.gov.cn/", "--db", "sqlite:///g.db",
                        "--archive", "/data/archive", "--schedule-id", "7", "--local",
                        "--max-pages", "40", "--insecure-host", "a.gov.cn", "--insecure-host",
                        "c.gov.cn", "--resume"]


def test_unknown_options_are_refused() -> None:
    check_options({"local": True, "tz": "UTC"})
    with pytest.raises(ValueError, match="unknown schedule option.*resume"):
        check_options({"resume": True})


def test_paused_run_reads_the_job_folder(tmp_path: Path) -> None:
    seeds = ["http://a.gov.cn/"]
    assert paused_run(tmp_path, seeds) is None
    folder = job_dir(tmp_path.resolve(), seeds)
    folder.mkdir(parents=True)
    (folder / RUN_FILE).write_text(json.dumps({"run_id": 12, "seeds": seeds}))
    assert paused_run(tmp_path, ["a.gov.cn"]) == 12  # the same seeds, written another way
    (folder / RUN_FILE).write_text("{broken")
    assert paused_run(tmp_path, seeds) is None
