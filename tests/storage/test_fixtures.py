"""The PostgreSQL fixture fails in CI and skips elsewhere when the server is unreachable."""

from __future__ import annotations

import socket

import pytest

from tests.storage.conftest import admin_connection


def _closed_port_dsn() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def test_unreachable_server_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="not reachable at 127.0.0.1:5432"):
        admin_connection(_closed_port_dsn())


def test_unreachable_server_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not reachable"):
        admin_connection(_closed_port_dsn())
