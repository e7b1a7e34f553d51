"""Settings in one place: environment and settings file read only by crawler.config."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from crawler.config import config_path, default_archive_dir, default_db_url, today_override
from crawler.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
#: Modules allowed to touch the environment: the reader, the schedule runner handing its
#: environment to the crawl it starts, and the renderer handing NODE_OPTIONS to the Playwright
#: driver it starts (no govreports setting is read there).
ALLOWED = {"crawler/config.py", "crawler/schedules/process.py", "crawler/discovery/rendering.py"}


def _reads_outside(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            hits.append(f"{path.relative_to(ROOT)}:{node.lineno} os.{node.attr}")
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if "tomllib" in names:
                hits.append(f"{path.relative_to(ROOT)}:{node.lineno} tomllib")
    return hits


def test_only_crawler_config_reads_environment_and_settings_file() -> None:
    modules = [p for top in ("crawler", "spiders", "pipelines", "storage") for p in (ROOT / top).rglob("*.py")
               if not p.relative_to(ROOT).as_posix().startswith("crawler/testbed/")]
    found = [hit for p in modules if p.relative_to(ROOT).as_posix() not in ALLOWED
             for hit in _reads_outside(p)]
    assert found == [], "read configuration through crawler.config: " + ", ".join(found)
    assert _reads_outside(ROOT / "crawler/config.py")  # the check sees reads where they are


def test_archive_defaults_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_db_url({"GOVREPORTS_DB": "  "}) == f"sqlite:///{tmp_path / 'govreports-data' / 'govreports.db'}"
    assert default_archive_dir({"GOVREPORTS_ARCHIVE": str(tmp_path / "a")}) == tmp_path / "a"


def test_today_override() -> None:
    assert today_override({}) is None
    assert today_override({"GOVREPORTS_TODAY": "2024-02-01"}) == date(2024, 2, 1)
    with pytest.raises(ConfigError, match="GOVREPORTS_TODAY='tomorrow' is not a date"):
        today_override({"GOVREPORTS_TODAY": "tomorrow"})


def test_config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert config_path(None, {}) is None
    (tmp_path / "govreports.toml").write_text("[alerts]\n", encoding="utf-8")
    assert config_path(None, {}) == tmp_path / "govreports.toml"
    with pytest.raises(ConfigError, match=r"from \$GOVREPORTS_CONFIG\) does not exist"):
        config_path(None, {"GOVREPORTS_CONFIG": str(tmp_path / "missing.toml")})
