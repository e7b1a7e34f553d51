"""Email channel: one SMTP message per event or digest, plain text and HTML, Chinese then English.

The Message-ID is derived from the event key, so a message sent again after a crash is the
same message to mail clients that deduplicate.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING

from crawler.alerts.config import AlertSettings
from crawler.alerts.errors import DeliveryError
from crawler.alerts.render import html_document, text_body, title
from crawler.version import software_version
from storage.models import AlertEvent

if TYPE_CHECKING:
    from crawler.alerts.digest import Digest

SUBJECT_PREFIX = "[govreports]"


def build_message(event: AlertEvent, settings: AlertSettings, *,
                  now: datetime | None = None) -> EmailMessage:
    """The multipart/alternative message for ``event``."""
    message = EmailMessage()
    message["Subject"] = f"{SUBJECT_PREFIX} {title(event)}"
    message["From"] = settings.smtp_from or ""
    message["To"] = ", ".join(settings.smtp_to)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    digest = hashlib.sha256(event.key.encode("utf-8")).hexdigest()[:40]
    message["Message-ID"] = f"<alert-{digest}@govreports>"
    message["X-Govreports-Event"] = event.type
    message["X-Mailer"] = software_version()
    archived = settings.archive_url(event)
    message.set_content(text_body(event, archived), subtype="plain", charset="utf-8")
    message.add_alternative(html_document(event, archived), subtype="html", charset="utf-8")
    return message


def build_digest_message(digest: Digest, settings: AlertSettings, *,
                         now: datetime | None = None) -> EmailMessage:
    """The multipart/alternative message listing a digest's events."""
    message = EmailMessage()
    message["Subject"] = f"{SUBJECT_PREFIX} {digest.title()}"
    message["From"] = settings.smtp_from or ""
    message["To"] = ", ".join(settings.smtp_to)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = f"<{hashlib.sha256(digest.key.encode('utf-8')).hexdigest()[:40]}.digest@govreports>"
    message["X-Govreports-Event"] = "digest"
    message["X-Mailer"] = software_version()
    message.set_content(digest.text(), subtype="plain", charset="utf-8")
    message.add_alternative(digest.html(), subtype="html", charset="utf-8")
    return message


def send_email(event: AlertEvent, settings: AlertSettings) -> None:
    """Send ``event`` by SMTP; raise :class:`DeliveryError` when the server does not take it."""
    send_message(build_message(event, settings), settings)


def send_digest(digest: Digest, settings: AlertSettings) -> None:
    """Send one digest message by SMTP (errors as :func:`send_email`)."""
    send_message(build_digest_message(digest, settings), settings)


def send_message(message: EmailMessage, settings: AlertSettings) -> None:
    """Send ``message`` to the configured server; :class:`DeliveryError` when it is not taken."""
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server configured (set GOVREPORTS_SMTP_HOST)", transient=False)
    server = f"{settings.smtp_host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.smtp_host, settings.port, timeout=settings.smtp_timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{server} refused the login for {settings.smtp_user!r}: "
                            f"{_smtp_text(exc)}; check GOVREPORTS_SMTP_USER/PASSWORD",
                            transient=False) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{server} does not support {exc}; check GOVREPORTS_SMTP_STARTTLS "
                            "and the port", transient=False) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"{server} refused every recipient: {_refusals(exc.recipients)}",
                            transient=False) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{server} answered {exc.smtp_code}: {_smtp_text(exc)}",
                            transient=exc.smtp_code < 500) from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"SMTP error with {server}: {exc}") from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with {server} failed: {exc.reason or exc}", transient=False) from None
    except TimeoutError:
        raise DeliveryError(f"{server} did not answer within {settings.smtp_timeout:g} s") from None
    except OSError as exc:
        raise DeliveryError(f"cannot reach {server}: {exc.strerror or exc}") from None
    if refused:
        # Some recipients took it: sending again would duplicate theirs, so it counts as
        # delivered, and the refusals are logged by the caller through this exception's text.
        raise PartialDelivery(f"{server} refused {_refusals(refused)}")


class PartialDelivery(DeliveryError):
    """Delivered to some recipients but refused for others (not retried: no duplicates)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, transient=False)


def _smtp_text(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return " ".join(text.split())


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address} ({code} {reply.decode('utf-8', 'replace').strip()})"
                     for address, (code, reply) in refused.items())
