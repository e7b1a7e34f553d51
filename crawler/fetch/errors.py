"""Name the kind of a failed fetch, for the capture record and the crawl summary."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from twisted.internet import defer
from twisted.internet import error as net_error
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

try:  # pragma: no cover - OpenSSL is always present with scrapy
    from OpenSSL.SSL import Error as SSLError
except ImportError:  # pragma: no cover
    SSLError = Exception  # type: ignore[misc,assignment]


def _unwrap(exc: BaseException) -> list[BaseException]:
    reasons = getattr(exc, "reasons", None)
    if isinstance(exc, ResponseNeverReceived | ResponseFailed) and reasons:
        return [r.value for r in reasons]
    return [exc]


def error_kind(exc: BaseException) -> str:
    """A short stable name for why a fetch failed (timeout, dns, tls, robots_disallowed…)."""
    message = str(exc)
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in message.lower() or "Forbidden by robots" in message:
            return "robots_disallowed"
        if "max redirections" in message or "redirect loop" in message:
            return "redirect_loop"
        if "challenge" in message.lower():
            return "blocked"
        return "ignored"
    for inner in _unwrap(exc):
        if isinstance(inner, SSLError) or "certificate" in str(inner).lower() or "SSL" in type(inner).__name__:
            return "tls"
    if isinstance(exc, net_error.TimeoutError | net_error.TCPTimedOutError | defer.TimeoutError):
        return "timeout"
    if isinstance(exc, net_error.DNSLookupError):
        return "dns"
    if isinstance(exc, net_error.ConnectionRefusedError):
        return "connection_refused"
    if isinstance(exc, defer.CancelledError) or "max size" in message:
        return "too_large"
    if isinstance(exc, net_error.ConnectionLost | ResponseFailed | ResponseNeverReceived):
        return "connection_lost"
    return type(exc).__name__
