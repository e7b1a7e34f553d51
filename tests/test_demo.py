"""`govreports demo` (the README's first command) finds every report of the sample portal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.crawl_helpers import GOVREPORTS, run_cli

pytestmark = pytest.mark.slow


def test_demo_finds_every_report(tmp_path: Path) -> None:
    result = run_cli([*GOVREPORTS, "demo", "--db", f"sqlite:///{tmp_path / 'demo.db'}",
                      "--archive", str(tmp_path / "archive")])
    assert result.returncode == 0, result.stderr[-3000:]
    found = re.search(r"reports found:\s+(\d+)", result.stdout)
    held = re.search(r"the sample portal holds (\d+) reports", result.stdout)
    assert found and held, result.stdout
    assert int(found.group(1)) == int(held.group(1)) > 0
    assert "What to try next" in result.stdout
    shapes = dict(re.findall(r"^    (\S+: \S+)\s+(\d+/\d+)$", result.stdout, re.M))
    assert {"subdomain: inline-agencyless", "subdomain: pdf-agencyless", "subdomain: inline-pre2019",
            "trs: inline"} <= set(shapes), result.stdout
    for shape, figures in shapes.items():
        hits, total = figures.split("/")
        assert hits == total and int(total) > 0, (shape, figures)
