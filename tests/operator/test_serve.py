"""``govreports serve`` announces its address once bound; ``HEAD`` answers like ``GET``."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crawler.testbed.synthetic_archive import build_synthetic_archive
from tests.crawl_helpers import GOVREPORTS


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``serve --port 0`` child; its base URL is taken from the announcement and used at once."""
    root = tmp_path_factory.mktemp("serve")
    db_url = f"sqlite:///{root / 'archive.db'}"
    build_synthetic_archive(db_url, root / "archive", reports=3, seed=1)
    process = subprocess.Popen([*GOVREPORTS, "serve", "--db", db_url, "--archive", str(root / "archive"),
                                "--port", "0", "--log-level", "warning"],
                               stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"on (http://127\.0\.0\.1:(\d+)/)", line)
        assert match and int(match.group(2)) > 0, line
        yield match.group(1).rstrip("/")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_announced_address_answers_at_once(served: str) -> None:
    # no retry loop: the announcement comes only after the socket is listening
    assert httpx.get(f"{served}/healthz", timeout=10).status_code == 200


@pytest.mark.parametrize("path", ["/", "/reports", "/agencies", "/coverage", "/api/v1/reports",
                                  "/openapi.json", "/alerts.atom", "/static/style.css"])
def test_head_answers_like_get_without_a_body(served: str, path: str) -> None:
    got = httpx.get(served + path, timeout=10)
    head = httpx.head(served + path, timeout=10)
    assert got.status_code in (200, 307), (path, got.status_code)
    assert head.status_code == got.status_code and head.content == b""
    assert head.headers.get("location") == got.headers.get("location")
    assert head.headers.get("content-type") == got.headers.get("content-type")
    assert int(head.headers["content-length"]) == len(got.content)


def test_head_of_a_missing_page_is_404(served: str) -> None:
    assert httpx.head(f"{served}/reports/999999", timeout=10).status_code == 404


def test_port_in_use_is_one_sentence(served: str, tmp_path: Path) -> None:
    port = served.rsplit(":", 1)[1]
    db = tmp_path / "a.db"
    build_synthetic_archive(f"sqlite:///{db}", tmp_path / "archive", reports=1, seed=2)
    result = subprocess.run([*GOVREPORTS, "serve", "--db", f"sqlite:///{db}", "--port", port],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
