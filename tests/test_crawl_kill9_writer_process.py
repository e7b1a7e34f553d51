"""With the archive's writer in a process of its own (``GOVREPORTS_ARCHIVE_PROCESS``), a crawl
killed with SIGKILL leaves no process behind (the writer process included), and run again it
ends with the same archive as an uninterrupted crawl: the frontier never marks a request done
before its capture is committed by the other process."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.testbed.sample_portal import SamplePortal
from tests.crawl_helpers import (
    CrawlDirs,
    archive_contents,
    assert_same_captured_urls,
    captures_so_far,
    descendants,
    runs,
    site_names,
    still_running_after,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
KILLS = 2


def _command(dirs: CrawlDirs, portal: SamplePortal) -> list[str]:
    settings = {"GOVREPORTS_DB": dirs.db_url, "GOVREPORTS_ARCHIVE": str(dirs.archive),
                "GOVREPORTS_CA_FILE": str(portal.certificate_path), "GOVREPORTS_TODAY": "2025-06-01",
                "GOVREPORTS_PROGRESS": "False", "DOWNLOAD_TIMEOUT": "10", "DOWNLOAD_DELAY": "0",
                "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
                "RETRY_BACKOFF_BASE": "0.2", "GOVREPORTS_ARCHIVE_PROCESS": "True",
                "GOVREPORTS_RESOLVE": json.dumps(dict(spec.split(":", 1) for spec in portal.resolve))}
    command = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a",
               "seeds=" + ",".join(portal.seed_urls)]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def _writer_among(pids: set[int]) -> int | None:
    """The process holding the run's open WARC file (the writer process), if any."""
    for pid in pids:
        try:
            if any(os.readlink(fd).endswith(".warc.gz") for fd in Path(f"/proc/{pid}/fd").iterdir()):
                return pid
        except OSError:
            continue
    return None


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.timeout(900)  # four crawl processes of the sample portal
def test_a_crawl_killed_with_its_writer_process_resumes_to_the_same_archive(tmp_path: Path) -> None:
    seed = int(os.environ.get("GOVREPORTS_KILL_SEED", random.randrange(1 << 30)))  # noqa: S311
    rng = random.Random(seed)
    (tmp_path / "empty.toml").write_text("")
    env = dict(os.environ, GOVREPORTS_CONFIG=str(tmp_path / "empty.toml"), PYTHONUNBUFFERED="1")
    with SamplePortal(seed=0) as portal:
        whole = CrawlDirs(tmp_path / "whole")
        _run(_command(whole, portal), env)
        expected = archive_contents(whole.db_url, site_names(portal.seed_urls))
        total = captures_so_far(tmp_path / "whole" / "archive.db")

    with SamplePortal(seed=0) as portal:
        killed = CrawlDirs(tmp_path / "killed")
        command = _command(killed, portal)
        sites = site_names(portal.seed_urls)
        moments = sorted(rng.sample(range(1, int(total * 0.9)), KILLS))
        for moment in moments:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 180
            writer = None
            while (captures_so_far(tmp_path / "killed" / "archive.db") < moment or writer is None) \
                    and process.poll() is None:
                assert time.monotonic() < deadline, f"no progress towards {moment} (seed {seed})"
                writer = _writer_among(descendants(process.pid))
                time.sleep(0.05)
            assert process.poll() is None, f"the crawl ended before {moment} captures (seed {seed})"
            below = descendants(process.pid)
            assert writer in below
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            left = still_running_after(below)
            assert not left, f"processes left running after the kill: {left} (seed {seed})"
        _run(command, env)  # the same command again continues the crashed run

    [run] = runs(killed.db_url)
    assert run.status == "completed", f"seed {seed}"
    got = archive_contents(killed.db_url, sites)
    assert not {e for e in got["events"] if e[0] == "report_removed"}, f"seed {seed}"
    assert got["reports"] == expected["reports"], f"seed {seed}"
    assert got["documents"] == expected["documents"], f"seed {seed}"
    assert got["events"] == expected["events"], f"seed {seed}"
    assert_same_captured_urls(expected["captured"], got["captured"], f"seed {seed}")
