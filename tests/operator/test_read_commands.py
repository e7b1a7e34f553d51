"""Read commands refuse a database that does not exist, and create nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli.main import main

READ_COMMANDS = [
    ["reports"],
    ["export", "--format", "csv", "--out", "{tmp}/out.csv"],
    ["alerts"],
    ["alerts", "deliver"],
    ["versions", "1"],
    ["diff", "1"],
    ["reparse"],
    ["runs"],
    ["errors", "--run", "1"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_read_command_refuses_a_missing_database(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "typo" / "govreports.db"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(main, [*argv, "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 1, result.output
    assert f"no archive database at {missing}" in result.output
    assert "Traceback" not in result.output
    assert not missing.exists() and not missing.parent.exists(), "a read command created a database"
    assert not (tmp_path / "out.csv").exists()


def test_serve_refuses_a_missing_database(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(main, ["serve", "--db", f"sqlite:///{missing}", "--port", "0"])
    assert result.exit_code == 1 and "no database file" in result.output
    assert not missing.exists()
