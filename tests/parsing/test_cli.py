"""``govreports parse FILE [--json]`` through the click command."""

from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner

from crawler.cli.parse import parse_command
from crawler.testbed.reportgen import random_report, render_html


def _report(tmp_path: Path) -> tuple[Path, dict]:
    report = random_report(random.Random(7), template="2021")
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path, report.expected_record()


def test_summary(tmp_path: Path) -> None:
    path, expected = _report(tmp_path)
    result = CliRunner().invoke(parse_command, [str(path)])
    assert result.exit_code == 0, result.output
    assert f"agency: {expected['agency']}" in result.output
    assert "template: 2021" in result.output
    total = expected["applications"]["total"]["total"]
    assert f"七 总计 (total): {total}" in result.output


def test_json(tmp_path: Path) -> None:
    path, expected = _report(tmp_path)
    result = CliRunner().invoke(parse_command, [str(path), "--json"])
    assert result.exit_code == 0
    record = json.loads(result.output)
    assert record["applications"] == expected["applications"]


def test_failure_exit_code(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    result = CliRunner().invoke(parse_command, [str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["status"] == "corrupt"
