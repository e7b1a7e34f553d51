"""Webhook channel: one signed JSON POST per event, or per daily/weekly digest.

Payload (UTF-8 JSON object)::

    {"id": "<event key>", "type": "report_changed", "agency": "…", "year": 2024,
     "report_id": 12, "occurred_at": "2026-02-01T08:00:00Z", "details": {…}, "run_id": 7}

Headers: ``Content-Type: application/json``, ``X-Govreports-Event: <type>``,
``Idempotency-Key: <id>`` (the same on every retry: receivers dedupe on it; characters outside
printable ASCII, and ``%``, are percent-encoded as UTF-8, so ``unquote(header) == id``),
``User-Agent: govreports/<version>`` and, when a secret is set,
``X-Govreports-Signature: sha256=<hex HMAC-SHA256 of the raw body keyed with the secret>``.
Any 2xx answer is a delivery; redirects are not followed (they would turn the POST into a GET).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from crawler.alerts.config import AlertSettings
from crawler.alerts.errors import DeliveryError
from crawler.alerts.render import iso
from crawler.version import software_version
from storage.models import AlertEvent

if TYPE_CHECKING:
    from crawler.alerts.digest import Digest

SIGNATURE_HEADER = "X-Govreports-Signature"
#: HTTP statuses worth a quick retry; other 4xx (and 3xx) will not get better in a second.
TRANSIENT_STATUSES = frozenset({408, 425, 429})
_HEADER_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "%")


def event_payload(event: AlertEvent) -> dict[str, Any]:
    """The documented JSON payload of ``event``."""
    return {
        "id": event.key,
        "type": event.type,
        "agency": event.agency,
        "year": event.year,
        "report_id": event.report_id,
        "occurred_at": iso(event.created_at),
        "details": event.details,
        "run_id": event.run_id,
    }


def encode_payload(event: AlertEvent, archive_url: str | None = None) -> bytes:
    """The exact bytes that are POSTed (and signed); ``archive_url`` is added when known."""
    payload = event_payload(event)
    if archive_url:
        payload["archive_url"] = archive_url
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    """The signature header value: ``sha256=<hex HMAC-SHA256 of body>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def idempotency_key(key: str) -> str:
    """The header form of an event key: printable ASCII as is, the rest (and ``%``) %-encoded."""
    return quote(key, safe=_HEADER_SAFE)


def request_headers(event: AlertEvent, body: bytes, secret: str | None) -> dict[str, str]:
    """The headers sent with ``body``."""
    headers = {
        "Content-Type": "application/json",
        "X-Govreports-Event": event.type,
        "Idempotency-Key": idempotency_key(event.key),
        "User-Agent": software_version(),
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    return headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def send_webhook(event: AlertEvent, settings: AlertSettings) -> None:
    """POST ``event`` to the webhook; raise :class:`DeliveryError` unless it answers 2xx."""
    body = encode_payload(event, settings.archive_url(event))
    _post(body, request_headers(event, body, settings.webhook_secret), settings)


def send_digest(digest: Digest, settings: AlertSettings) -> None:
    """POST one digest (``"type": "digest"``, its events in ``events``); 2xx or DeliveryError."""
    body = json.dumps(digest.payload(), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json", "X-Govreports-Event": "digest",
               "Idempotency-Key": idempotency_key(digest.key), "User-Agent": software_version()}
    if settings.webhook_secret:
        headers[SIGNATURE_HEADER] = sign(body, settings.webhook_secret)
    _post(body, headers, settings)


def _post(body: bytes, headers: dict[str, str], settings: AlertSettings) -> None:
    url = settings.webhook_url
    if not url:
        raise DeliveryError("no webhook URL configured (set GOVREPORTS_WEBHOOK_URL)", transient=False)
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    target = urlsplit(url).netloc
    try:
        with _OPENER.open(request, timeout=settings.webhook_timeout) as response:
            status = response.status
            response.read(65536)
    except urllib.error.HTTPError as exc:
        raise _status_error(exc.code, exc.reason, exc.headers.get("Location"), _snippet(exc)) from None
    except urllib.error.URLError as exc:
        raise DeliveryError(f"cannot reach {target}: {_os_reason(exc.reason)}") from None
    except TimeoutError:
        raise DeliveryError(f"{target} did not answer within {settings.webhook_timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"connection to {target} failed: {_os_reason(exc)}") from None
    if not 200 <= status < 300:
        raise _status_error(status, "", None, "")


def _status_error(status: int, reason: str, location: str | None, body: str) -> DeliveryError:
    text = f"HTTP {status} {reason}".strip()
    if 300 <= status < 400:
        return DeliveryError(f"{text}: the webhook redirects to {location or '?'}; set "
                             "GOVREPORTS_WEBHOOK_URL to the final URL", transient=False)
    transient = status >= 500 or status in TRANSIENT_STATUSES
    return DeliveryError(f"{text}{': ' + body if body else ''}", transient=transient)


def _snippet(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read(300)
    except (OSError, http.client.HTTPException):
        return ""
    return " ".join(raw.decode("utf-8", "replace").split())[:200]


def _os_reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
