"""Webhook channel against a real local receiver that verifies the HMAC signature."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from threading import Thread
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from crawler.alerts.config import AlertSettings
from crawler.alerts.errors import DeliveryError
from crawler.alerts.webhook import send_webhook
from storage.models import AlertEvent
from storage.repository import ArchiveDB
from tests.alerts.helpers import CHANGED_DETAILS, WebhookReceiver, add_event, refused_url


def one_event(db: ArchiveDB) -> AlertEvent:
    add_event(db, "report_changed:北京市财政局:2025:v2", type_="report_changed", details=CHANGED_DETAILS)
    return db.session.scalars(select(AlertEvent)).one()


def test_payload_headers_and_signature(db: ArchiveDB) -> None:
    event = one_event(db)
    with WebhookReceiver(secret="s3cret") as receiver:
        send_webhook(event, AlertSettings(webhook_url=receiver.url, webhook_secret="s3cret"))
    [got] = receiver.requests
    assert got.signature_ok is True
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Govreports-Event"] == "report_changed"
    assert unquote(got.headers["Idempotency-Key"]) == got.payload["id"]
    assert got.headers["Idempotency-Key"] == "report_changed:%E5%8C%97%E4%BA%AC%E5%B8%82%E8%B4%A2%E6%94%BF%E5%B1%80:2025:v2"
    assert got.headers["User-Agent"].startswith("govreports/")
    assert got.payload == {
        "id": "report_changed:北京市财政局:2025:v2", "type": "report_changed", "agency": "北京市财政局",
        "year": 2025, "report_id": event.report_id, "occurred_at": "2026-02-01T08:00:00Z",
        "details": CHANGED_DETAILS, "run_id": None,
    }


def test_a_wrong_secret_is_refused_by_the_receiver(db: ArchiveDB) -> None:
    event = one_event(db)
    with WebhookReceiver(secret="right") as receiver, pytest.raises(DeliveryError, match="HTTP 401"):
        send_webhook(event, AlertSettings(webhook_url=receiver.url, webhook_secret="wrong"))
    assert receiver.requests[0].signature_ok is False


def test_no_signature_header_without_a_secret(db: ArchiveDB) -> None:
    with WebhookReceiver() as receiver:
        send_webhook(one_event(db), AlertSettings(webhook_url=receiver.url))
    assert "X-Govreports-Signature" not in receiver.requests[0].headers


@pytest.mark.parametrize(("status", "transient"), [(500, True), (503, True), (429, True),
                                                   (400, False), (404, False)])
def test_non_2xx_is_a_failure(db: ArchiveDB, status: int, transient: bool) -> None:
    event = one_event(db)
    with WebhookReceiver(fail_first=1, fail_status=status) as receiver, \
            pytest.raises(DeliveryError) as info:
        send_webhook(event, AlertSettings(webhook_url=receiver.url))
    assert info.value.reason.startswith(f"HTTP {status}")
    assert info.value.transient is transient


def test_redirect_is_not_followed(db: ArchiveDB) -> None:
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Redirect)
    Thread(target=server.handle_request, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with pytest.raises(DeliveryError, match="redirects to http://127.0.0.1:1/elsewhere") as info:
        send_webhook(one_event(db), AlertSettings(webhook_url=url))
    server.server_close()
    assert info.value.transient is False


def test_connection_refused_is_a_clear_failure(db: ArchiveDB) -> None:
    with pytest.raises(DeliveryError, match="cannot reach 127.0.0.1:[0-9]+: Connection refused"):
        send_webhook(one_event(db), AlertSettings(webhook_url=refused_url()))


def test_body_is_the_signed_utf8_json(db: ArchiveDB) -> None:
    with WebhookReceiver(secret="k") as receiver:
        send_webhook(one_event(db), AlertSettings(webhook_url=receiver.url, webhook_secret="k"))
    body = receiver.requests[0].body
    assert "北京市财政局".encode() in body  # not \\u-escaped
    assert json.loads(body)["details"]["numbers"][0]["new"] == 5


def test_the_documented_verification_snippet_accepts_real_requests(db: ArchiveDB) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "alerts.md").read_text(encoding="utf-8")
    snippet = docs.split("Verifying a request", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(snippet, namespace)  # noqa: S102 - our own documentation
    verify = namespace["verify"]
    assert callable(verify)
    with WebhookReceiver(secret="doc-secret") as receiver:
        send_webhook(one_event(db), AlertSettings(webhook_url=receiver.url, webhook_secret="doc-secret"))
    got = receiver.requests[0]
    assert verify(got.body, got.headers, "doc-secret")["type"] == "report_changed"
    with pytest.raises(PermissionError):
        verify(got.body, got.headers, "another-secret")
