"""A crawl killed with SIGKILL at random moments, then run again, ends with the same archive as
an uninterrupted crawl of the same portal: same reports, documents and captured URLs, no
removal or other false events, and no parse worker left running."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from crawler.testbed.sample_portal import SamplePortal
from tests.crawl_helpers import (
    CrawlDirs,
    archive_contents,
    assert_same_captured_urls,
    captures_so_far,
    crawl_command,
    descendants,
    run_cli,
    runs,
    site_names,
    still_running_after,
)

pytestmark = pytest.mark.slow
KILLS = 5




@pytest.mark.timeout(900)  # seven crawl processes of the sample portal (~3 min on a quiet machine)
def test_sigkill_at_random_moments_then_resume_equals_an_uninterrupted_crawl(tmp_path: Path) -> None:
    seed = int(os.environ.get("GOVREPORTS_KILL_SEED", random.randrange(1 << 30)))  # noqa: S311
    rng = random.Random(seed)
    figures: dict[str, object] = {"seed": seed}
    with SamplePortal(seed=0) as portal:
        whole = CrawlDirs(tmp_path / "whole")
        command = crawl_command(whole, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                "--today", "2025-06-01", *portal.resolve_args())
        result = run_cli(command)
        assert result.returncode == 0, result.stderr[-3000:]
        expected = archive_contents(whole.db_url, site_names(portal.seed_urls))
        total = captures_so_far(tmp_path / "whole" / "archive.db")
    figures["uninterrupted_captures"] = total

    with SamplePortal(seed=0) as portal:
        killed = CrawlDirs(tmp_path / "killed")
        command = crawl_command(killed, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                "--today", "2025-06-01", *portal.resolve_args())
        sites = site_names(portal.seed_urls)
        moments = sorted(rng.sample(range(1, int(total * 0.9)), KILLS))
        per_run: list[int] = []
        children_seen: list[int] = []
        before = 0
        for moment in moments:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       env=dict(os.environ, PYTHONUNBUFFERED="1"))
            deadline = time.monotonic() + 180
            # the first kill also waits for the parse worker, so that one kill surely has one to leave
            while ((captures_so_far(tmp_path / "killed" / "archive.db") < moment
                    or (moment == moments[0] and not descendants(process.pid)))
                   and process.poll() is None):
                assert time.monotonic() < deadline, f"no progress towards {moment} captures (seed {seed})"
                time.sleep(0.05)
            assert process.poll() is None, f"the crawl ended before {moment} captures (seed {seed})"
            children = descendants(process.pid)
            children_seen.append(len(children))
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            # children see their parent gone at once (SIGKILL by the kernel) or at their pipe's EOF
            # (the forkserver, the browser's driver)
            left = still_running_after(children)
            assert not left, f"child processes left running after the kill: {left} (seed {seed})"
            now = captures_so_far(tmp_path / "killed" / "archive.db")
            per_run.append(now - before)
            before = now

        result = run_cli(command)  # the same command again continues the crashed run
        assert result.returncode == 0, result.stderr[-3000:]
        per_run.append(captures_so_far(tmp_path / "killed" / "archive.db") - before)
    figures |= {"kill_at_captures": moments, "captures_per_process": per_run,
                "children_at_kill": children_seen}
    assert children_seen[0] > 0, "no parse worker at the first kill: the check saw nothing"

    [run] = runs(killed.db_url)
    assert run.status == "completed", f"seed {seed}"
    got = archive_contents(killed.db_url, sites)
    figures |= {key: (len(expected[key]), len(got[key]))
                for key in ("reports", "documents", "captured", "events")}
    print("kill9 figures:", json.dumps(figures))  # noqa: T201 - the figures the report quotes
    assert not {e for e in got["events"] if e[0] == "report_removed"}, f"seed {seed}"
    assert got["reports"] == expected["reports"], f"seed {seed}"
    assert got["documents"] == expected["documents"], f"seed {seed}"
    assert got["events"] == expected["events"], f"seed {seed}"
    assert_same_captured_urls(expected["captured"], got["captured"], f"seed {seed}")

