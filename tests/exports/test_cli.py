"""`govreports export` and `govreports synthetic-archive` on the command line."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from crawler.cli.main import main
from crawler.testbed.synthetic_archive import SyntheticArchive
from tests.exports.helpers import Truth


def test_export_with_filters(small_archive: SyntheticArchive, small_truth: dict[int, Truth],
                             tmp_path: Path) -> None:
    out = tmp_path / "x" / "failed.csv"
    result = CliRunner().invoke(main, ["export", "--db", small_archive.db_url, "--format", "csv",
                                       "--out", str(out), "--checks", "failed", "--year-from", "2020"])
    assert result.exit_code == 0, result.output
    expected = sum(1 for t in small_truth.values() if t.failed_checks and t.year >= 2020)
    assert f"wrote {expected} report(s) to {out}" in result.stdout
    assert "exporting" not in result.stderr  # no progress bar when stderr is not a terminal
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == expected + 1
    assert (tmp_path / "x" / "failed.values.csv").exists()


def test_bundle_from_the_command_line(small_archive: SyntheticArchive, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--db", small_archive.db_url, "--bundle",
                                       str(tmp_path / "b.zip"), "--archive",
                                       str(small_archive.archive_dir), "--template", "2019"])
    assert result.exit_code == 0, result.output
    assert "wrote a bundle of" in result.stdout and (tmp_path / "b.zip").stat().st_size > 0
    again = CliRunner().invoke(main, ["export", "--db", small_archive.db_url, "--bundle",
                                      str(tmp_path / "b.zip"), "--archive", str(small_archive.archive_dir)])
    assert again.exit_code != 0 and "exists" in again.output


def test_bad_usage_is_explained(small_archive: SyntheticArchive, tmp_path: Path) -> None:
    runner = CliRunner()
    cases = [
        (["--format", "csv"], "give --format and --out, or --bundle"),
        (["--bundle", str(tmp_path / "b"), "--format", "csv"], "leave out --format"),
        (["--format", "csv", "--out", str(tmp_path / "a.csv"), "--year-from", "2024",
          "--year-to", "2020"], "is after --year-to"),
        (["--format", "ods", "--out", str(tmp_path / "a.ods")], "'ods' is not one of"),
        (["--format", "csv", "--out", str(tmp_path / "a.csv"), "--template", "2020"], "'2020' is not"),
    ]
    for args, message in cases:
        result = runner.invoke(main, ["export", "--db", small_archive.db_url, *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    result = runner.invoke(main, ["export", "--db", "nosuchdriver://x", "--format", "csv",
                                  "--out", str(tmp_path / "a.csv")])
    assert result.exit_code == 1 and "cannot open the database" in result.output


def test_progress_bar_on_a_terminal(small_archive: SyntheticArchive, tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli.main", "export", "--db", small_archive.db_url, "--format",
         "jsonl", "--out", str(tmp_path / "r.jsonl"), "--batch-size", "10"],
        stdout=subprocess.PIPE, stderr=follower, env=dict(os.environ, COLUMNS="100"))
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the command is done
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    assert process.wait(timeout=30) == 0
    text = seen.decode("utf-8", "replace")
    assert "exporting" in text and f"{small_archive.reports}/{small_archive.reports}" in text


def test_synthetic_archive_command(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    args = ["synthetic-archive", "--reports", "30", "--seed", "2", "--db", db,
            "--archive", str(tmp_path / "archive")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "wrote 30 report(s)" in result.stdout and "failed check report" in result.stdout
    assert any((tmp_path / "archive" / "warc").glob("*.warc.gz"))
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "already holds reports" in again.output
