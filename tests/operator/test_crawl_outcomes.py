"""How a crawl that cannot do its job ends: one clear sentence, its own exit code, its failed URLs."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from crawler.cli import exit_codes
from storage.repository import ArchiveDB
from tests.crawl_helpers import GOVREPORTS, CrawlDirs, crawl_command, run_cli


def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a port just freed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _unusable_archives(tmp_path: Path) -> list[tuple[Path, Path]]:
    """(archive folder, the path the error must name): a file where a folder must go."""
    (tmp_path / "file").write_text("not a folder")
    cases = [(tmp_path / "file" / "archive", tmp_path / "file" / "archive")]
    logs_blocked = tmp_path / "logs-blocked"
    logs_blocked.mkdir()
    (logs_blocked / "logs").write_text("a file where the logs folder goes")
    cases.append((logs_blocked, logs_blocked / "logs"))
    if os.geteuid() != 0:  # permissions bind everyone but root
        read_only = tmp_path / "read-only"
        read_only.mkdir(mode=0o555)
        cases.append((read_only, read_only))
    return cases


def test_unusable_archive_folder_is_one_sentence_and_no_run(tmp_path: Path) -> None:
    for archive, named in _unusable_archives(tmp_path):
        dirs = CrawlDirs(tmp_path)
        command = [*GOVREPORTS, "crawl", refused_url(), "--db", dirs.db_url, "--archive", str(archive)]
        result = run_cli(command, timeout=60)
        assert result.returncode == exit_codes.FAILED, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert f"cannot write to the archive folder {named}" in lines[0]
        assert "--archive" in lines[0]


def test_crawl_whose_seeds_all_fail_exits_3_and_lists_its_failed_urls(tmp_path: Path) -> None:
    dirs = CrawlDirs(tmp_path)
    seeds = [refused_url(), refused_url()]
    result = run_cli(crawl_command(dirs, seeds), timeout=120)
    assert result.returncode == exit_codes.NOTHING_FETCHED, result.stderr[-2000:]
    assert "not one page could be fetched" in result.stderr
    assert "govreports errors --run 1" in result.stderr

    runs = run_cli([*GOVREPORTS, "runs", "--db", dirs.db_url, "--json"])
    assert runs.returncode == 0, runs.stderr
    [run] = [json.loads(line) for line in runs.stdout.splitlines()]
    assert run["id"] == 1 and run["status"] == "completed" and run["counts"]["pages"] == 0
    assert sorted(run["seeds"]) == sorted(seeds)

    errors = run_cli([*GOVREPORTS, "errors", "--run", "1", "--db", dirs.db_url, "--json"])
    assert errors.returncode == 0, errors.stderr
    failed = [json.loads(line) for line in errors.stdout.splitlines()]
    assert set(seeds) <= {row["url"] for row in failed}
    kinds = {row["kind"] for row in failed}
    assert kinds and all(row["message"] for row in failed)
    [kind] = sorted(kinds)[:1]
    only = run_cli([*GOVREPORTS, "errors", "--run", "1", "--kind", kind, "--db", dirs.db_url])
    assert only.stdout.splitlines() and all(line.startswith(kind + "\t") for line in only.stdout.splitlines())
    none = run_cli([*GOVREPORTS, "errors", "--run", "1", "--kind", "http_999", "--db", dirs.db_url])
    assert none.returncode == 0 and none.stdout == "" and "0 failed URL(s) of kind http_999" in none.stderr


def test_errors_of_an_unknown_run_is_an_error(tmp_path: Path) -> None:
    dirs = CrawlDirs(tmp_path)
    ArchiveDB(dirs.db_url).close()  # an empty, migrated archive
    result = run_cli([*GOVREPORTS, "errors", "--run", "99", "--db", dirs.db_url])
    assert result.returncode == exit_codes.FAILED and "no crawl run 99" in result.stderr


@pytest.mark.parametrize(("status", "pages", "code"), [
    ("completed", 5, exit_codes.OK), ("completed", 0, exit_codes.NOTHING_FETCHED),
    ("interrupted", 0, exit_codes.INTERRUPTED), ("interrupted", 9, exit_codes.INTERRUPTED),
    ("failed", 3, exit_codes.FAILED), ("crashed", 3, exit_codes.FAILED), ("stopped", 4, exit_codes.OK),
])
def test_crawl_exit_code(status: str, pages: int, code: int) -> None:
    assert exit_codes.crawl_exit_code(status, pages) == code
