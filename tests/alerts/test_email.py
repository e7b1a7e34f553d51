"""Email channel against a real local SMTP server (aiosmtpd): bodies, languages, escaping, TLS."""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from crawler.alerts.config import AlertSettings
from crawler.alerts.email import send_email
from crawler.alerts.errors import DeliveryError
from storage.models import AlertEvent
from storage.repository import ArchiveDB
from tests.alerts.helpers import CHANGED_DETAILS, MailSink, add_event, free_port, start_smtp

HOSTILE_AGENCY = '<script>alert("x")</script>局'


@pytest.fixture
def sink() -> Iterator[tuple[MailSink, int]]:
    mails = MailSink()
    controller = start_smtp(mails)
    yield mails, controller.port
    controller.stop()


def settings_for(port: int, **extra: Any) -> AlertSettings:
    return AlertSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="govreports@example.org",
                         smtp_to=["a@example.org", "b@example.org"], **extra)


def received(mails: MailSink) -> EmailMessage:
    [envelope] = mails.messages
    message = email.message_from_bytes(envelope.original_content or b"", policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def bodies(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def test_one_bilingual_multipart_message_per_event(db: ArchiveDB, sink: tuple[MailSink, int]) -> None:
    mails, port = sink
    add_event(db, "changed-1", type_="report_changed", details=CHANGED_DETAILS)
    send_email(db.session.scalars(select(AlertEvent)).one(), settings_for(port))
    message = received(mails)
    assert mails.messages[0].rcpt_tos == ["a@example.org", "b@example.org"]
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "[govreports] 报告有改动 Report changed: 北京市财政局 2025"
    assert message["Message-ID"].startswith("<alert-")
    plain, html = bodies(message)
    for body in (plain, html):
        zh, en = body.index("年度报告有改动"), body.index("The 2025 report of 北京市财政局 changed")
        assert zh < en, "Chinese comes first"
        assert "本年制发件数" in body and "3 → 5" in body
        assert "Now version 2" in body and "现为第 2 版" in body
        assert "http://portal.test/2025.html" in body
    assert "+新的说法 <b>bold</b>" in plain
    assert "+新的说法 &lt;b&gt;bold&lt;/b&gt;" in html


def test_html_escapes_everything_from_crawled_pages(db: ArchiveDB, sink: tuple[MailSink, int]) -> None:
    mails, port = sink
    add_event(db, "new-hostile", agency=HOSTILE_AGENCY,
              details={"url": 'javascript:alert(1)', "title": "<img src=x onerror=alert(1)>"})
    send_email(db.session.scalars(select(AlertEvent)).one(), settings_for(port))
    message = received(mails)
    plain, html = bodies(message)
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;局" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html
    assert HOSTILE_AGENCY in plain
    assert HOSTILE_AGENCY in message["Subject"]


def test_newlines_in_crawled_names_do_not_break_headers(db: ArchiveDB, sink: tuple[MailSink, int]) -> None:
    mails, port = sink
    add_event(db, "new-newline", agency="某某局\r\nBcc: victim@example.org")
    send_email(db.session.scalars(select(AlertEvent)).one(), settings_for(port))
    message = received(mails)
    assert message["Bcc"] is None
    assert mails.messages[0].rcpt_tos == ["a@example.org", "b@example.org"]


def make_cert(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_starttls_and_login(db: ArchiveDB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = make_cert(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust our self-signed server
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"mailer", b"pa ss")
        return AuthResult(success=ok, handled=False)

    mails = MailSink()
    controller = start_smtp(mails, tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_required=True)
    try:
        add_event(db, "tls-1")
        event = db.session.scalars(select(AlertEvent)).one()
        base = settings_for(controller.port, smtp_starttls=True, smtp_user="mailer")
        with pytest.raises(DeliveryError, match="refused the login for 'mailer'") as info:
            send_email(event, AlertSettings(**{**base.__dict__, "smtp_password": "wrong"}))
        assert info.value.transient is False
        send_email(event, AlertSettings(**{**base.__dict__, "smtp_password": "pa ss"}))
    finally:
        controller.stop()
    assert len(mails.messages) == 1


def test_unreachable_server_is_a_clear_failure(db: ArchiveDB) -> None:
    add_event(db, "new-1")
    port = free_port()
    with pytest.raises(DeliveryError, match=f"cannot reach 127.0.0.1:{port}: Connection refused"):
        send_email(db.session.scalars(select(AlertEvent)).one(), settings_for(port))
