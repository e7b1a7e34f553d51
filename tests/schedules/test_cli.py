"""`govreports schedule add/list/remove` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.crawl_helpers import GOVREPORTS, run_cli


def schedule(db: str, *args: str) -> tuple[int, str, str]:
    result = run_cli([*GOVREPORTS, "schedule", *args, "--db", db], timeout=60)
    return result.returncode, result.stdout, result.stderr


def test_add_list_remove(tmp_path: Path, seeds_file: Path) -> None:
    db = f"sqlite:///{tmp_path / 'g.db'}"
    code, out, err = schedule(db, "add", "provinces", "--seeds", str(seeds_file), "--local",
                              "--max-pages", "40", "--insecure-host", "www.gd.gov.cn")
    assert code == 0, err
    assert "added schedule 'provinces'" in out and "2 seed(s)" in out and "next due" in out
    other = tmp_path / "other.txt"
    other.write_text("https://www.shanghai.gov.cn/\n", encoding="utf-8")
    code, out, err = schedule(db, "add", "shanghai-time", "--seeds", str(other), "--cron", "30 1 * * *",
                              "--tz", "Asia/Shanghai")
    assert code == 0, err
    code, out, err = schedule(db, "add", "bad", "--seeds", str(other), "--cron", "0 2 * * mon-fri extra")
    assert code == 1 and "invalid cron expression" in err and "expected 5" in err
    assert "Traceback" not in err

    code, out, err = schedule(db, "list", "--json")
    assert code == 0, err
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["name"] == "provinces" and first["preset"] == "report-season"
    assert first["seeds"] == ["http://www.gd.gov.cn/", "http://www.beijing.gov.cn/"]
    assert first["seeds_file"] == str(seeds_file.resolve())
    assert first["options"] == {"local": True, "max_pages": 40, "insecure_hosts": ["www.gd.gov.cn"]}
    assert first["last_status"] is None and first["running_by"] is None
    assert second["cron"] == "30 1 * * *" and second["tz"] == "Asia/Shanghai"
    assert second["next_due"].endswith("17:30:00+00:00")  # 01:30 in Shanghai

    code, out, err = schedule(db, "list")
    assert code == 0 and "2 schedule(s)" in err
    assert "0 2 * 1-3 *;0 2 * 4-12 1 (report-season, UTC)" in out
    assert f"2 from {seeds_file.resolve()}" in out and "last run: never" in out

    code, out, err = schedule(db, "remove", "provinces")
    assert code == 0 and "removed schedule 'provinces'" in out, err
    code, out, err = schedule(db, "remove", "provinces")
    assert code == 1 and "no schedule named 'provinces'" in err
