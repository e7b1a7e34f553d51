"""Test helpers: a real webhook receiver, a real SMTP server, events in a fresh database."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from sqlalchemy import select

from crawler.alerts.outbox import record_event
from storage.models import Report
from storage.repository import ArchiveDB

T0 = dt.datetime(2026, 2, 1, 8, 0, tzinfo=dt.UTC)


@dataclass
class Received:
    """One POST the receiver got."""

    headers: dict[str, str]
    body: bytes
    signature_ok: bool | None

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """An http.server on 127.0.0.1 that records POSTs and checks their HMAC signature.

    The first ``fail_first`` POSTs get ``fail_status``; a POST with a wrong or missing
    signature (when ``secret`` is set) gets 401. With ``hold_on`` = n, the n-th POST blocks
    until ``release`` is set (``holding`` is set when it arrives).
    """

    secret: str | None = None
    fail_first: int = 0
    fail_status: int = 503
    hold_on: int | None = None
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver._handle(dict(self.headers.items()), body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": %s}' % (b"true" if status == 200 else b"false"))
                except OSError:
                    pass  # the sender was killed meanwhile

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def _handle(self, headers: dict[str, str], body: bytes) -> int:
        signature_ok = None
        if self.secret is not None:
            expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            signature_ok = hmac.compare_digest(expected, headers.get("X-Govreports-Signature", ""))
        with self._lock:
            self.requests.append(Received(headers, body, signature_ok))
            n = len(self.requests)
        if self.hold_on == n:
            self.holding.set()
            self.release.wait(30)
        if self.delay:
            threading.Event().wait(self.delay)
        if signature_ok is False:
            return 401
        return self.fail_status if n <= self.fail_first else 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def keys(self) -> list[str]:
        """The event keys received, in order (the Idempotency-Key header, decoded)."""
        return [unquote(r.headers["Idempotency-Key"]) for r in self.requests]

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class MailSink:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def start_smtp(sink: MailSink, **kwargs: Any) -> Controller:
    """A running aiosmtpd server on 127.0.0.1 and a free port."""
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def refused_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}/hook"


def add_report(db: ArchiveDB, agency: str, year: int) -> int:
    """The id of the report of ``agency`` for ``year``, created if needed."""
    found = db.session.scalar(select(Report.id).where(Report.agency == agency, Report.year == year))
    if found is not None:
        return found
    report = Report(agency=agency, year=year, title=f"{agency}{year}年政府信息公开工作年度报告",
                    published_on=None, first_seen_at=T0, last_seen_at=T0)
    db.session.add(report)
    db.session.commit()
    return report.id


def add_event(db: ArchiveDB, key: str, *, type_: str = "new_report", agency: str = "北京市财政局",
              year: int = 2025, details: dict[str, Any] | None = None,
              channels: tuple[str, ...] = ("webhook",), at: dt.datetime = T0,
              with_report: bool = True) -> bool:
    """record_event + commit, as the detection side does; True if it was new."""
    report_id = add_report(db, agency, year) if with_report and type_ != "report_overdue" else None
    event = record_event(db.session, key=key, type=type_, agency=agency, year=year,
                         report_id=report_id, run_id=None,
                         details=details if details is not None else {"url": "http://portal.test/r.pdf"},
                         channels=channels, now=at)
    db.session.commit()
    return event is not None


CHANGED_DETAILS: dict[str, Any] = {
    "numbers": [{"table": "二", "row": "规章", "column": "本年制发件数", "old": 3, "new": 5}],
    "text": [{"section": "一、总体情况", "diff": "-旧的说法\n+新的说法 <b>bold</b>"}],
    "url": "http://portal.test/2025.html",
    "version": 2,
}


def cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    """``govreports alerts ARGS`` in ``tmp_path``, with no GOVREPORTS_* variable but ``env``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    environ.update(env or {}, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "crawler.cli.main", "alerts", *args], capture_output=True,
                          text=True, cwd=tmp_path, env=environ, timeout=60, check=False)
