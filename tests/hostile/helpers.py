"""Run a crawl or a parse as a subprocess and measure it: wall time and peak RSS."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from storage.models import Capture


@dataclass(frozen=True)
class Measured:
    """A finished subprocess: exit code, output, seconds and peak resident memory (MB)."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float


def run_measured(argv: list[str], *, timeout: float, env: dict[str, str] | None = None) -> Measured:
    """Run ``argv`` to completion (killed after ``timeout``) and measure it with ``wait4``."""
    started = time.monotonic()
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}) as proc:
        out: list[str] = []
        err: list[str] = []
        readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
                   for s, b in ((proc.stdout, out), (proc.stderr, err))]
        for reader in readers:
            reader.start()
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        for reader in readers:
            reader.join(10)
    return Measured(proc.returncode, "".join(out), "".join(err), time.monotonic() - started,
                    usage.ru_maxrss / 1024)


def captures(db_url: str) -> list[Capture]:
    """Every capture row of the archive."""
    engine = create_engine(db_url)
    with Session(engine) as session:
        rows = list(session.scalars(select(Capture).order_by(Capture.id)))
        session.expunge_all()
    engine.dispose()
    return rows


class _Target(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def do_GET(self) -> None:  # noqa: N802
        self.server.hits += 1  # type: ignore[attr-defined]
        body = b'{"aws_secret_access_key": "not-for-crawlers"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    """Serve in a thread for the duration of the block."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def credentials_server() -> ThreadingHTTPServer:
    """A local "credentials" endpoint on 127.0.0.1 that counts its hits (``.hits``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Target)
    server.daemon_threads = True
    server.hits = 0  # type: ignore[attr-defined]
    return server
