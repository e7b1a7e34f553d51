"""Name the kind of a failed fetch, for the capture record and the crawl summary.

The kinds (:data:`ERROR_KINDS`) are stable names; the exception classes behind them are those
of the Scrapy and Twisted versions ``pyproject.toml`` pins (Scrapy 2.19: its own
``scrapy.exceptions.Download*Error`` family, raised by the httpx/aiohttp/streaming download
handlers, and Twisted's, raised by the default HTTP/1.1 handler). A summary never shows a
class name: anything unmapped is ``other`` (the capture keeps the class name in its message).

========================  ==============================================================
kind                      raised as
========================  ==============================================================
``dns``                   ``CannotResolveHostError``, Twisted ``DNSLookupError``
``timeout``               ``DownloadTimeoutError``, Twisted ``TimeoutError``,
                          ``TCPTimedOutError``, ``defer.TimeoutError``
``connection_refused``    ``DownloadConnectionRefusedError``, Twisted ``ConnectionRefusedError``
``connection_lost``       ``DownloadFailedError``, Twisted ``ConnectionLost``,
                          ``ConnectionDone``, ``ResponseFailed``, ``ResponseNeverReceived``
``data_loss``             ``ResponseDataLossError``, Twisted ``_DataLoss``, ``PotentialDataLoss``
``tls``                   OpenSSL errors, certificate failures
``too_large``             a download cancelled over ``DOWNLOAD_MAXSIZE``, or its decoded body
                          over it (a decompression bomb)
``cancelled``             ``DownloadCancelledError``, ``defer.CancelledError`` (other reasons)
``unsupported_scheme``    ``UnsupportedURLSchemeError``, ``NotSupported``
``robots_disallowed``,    ``IgnoreRequest`` from robots.txt, redirect loops, challenge pages,
``redirect_loop``,        other ignore reasons
``blocked``, ``ignored``
``out_of_scope``          a redirect hop outside the crawl's scope (docs/security.md)
``private_address``       ``PrivateAddressRefused``: a non-public address (docs/security.md)
``other``                 anything else
========================  ==============================================================
"""

from __future__ import annotations

from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest
from twisted.internet import defer
from twisted.internet import error as net_error
from twisted.web import _newclient
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.fetch.addresses import PrivateAddressRefused

try:  # pragma: no cover - OpenSSL is always present with scrapy
    from OpenSSL.SSL import Error as SSLError
except ImportError:  # pragma: no cover
    SSLError = Exception  # type: ignore[misc,assignment]

ERROR_KINDS = ("dns", "timeout", "connection_refused", "connection_lost", "data_loss", "tls",
               "too_large", "cancelled", "unsupported_scheme", "robots_disallowed",
               "redirect_loop", "blocked", "ignored", "out_of_scope", "private_address", "other")


def _scrapy(name: str) -> tuple[type[BaseException], ...]:
    """Scrapy's exception class ``name`` when this Scrapy has it (2.13 added the family)."""
    found = getattr(scrapy_errors, name, None)
    return (found,) if isinstance(found, type) else ()


_BY_CLASS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    (_scrapy("DownloadTimeoutError") + (net_error.TimeoutError, net_error.TCPTimedOutError,
                                        defer.TimeoutError), "timeout"),
    (_scrapy("CannotResolveHostError") + (net_error.DNSLookupError,), "dns"),
    (_scrapy("DownloadConnectionRefusedError") + (net_error.ConnectionRefusedError,),
     "connection_refused"),
    (_scrapy("ResponseDataLossError") + (_newclient._DataLoss,  # noqa: SLF001 - Twisted's name for it
                                         _newclient.PotentialDataLoss), "data_loss"),
    (_scrapy("UnsupportedURLSchemeError") + (scrapy_errors.NotSupported,), "unsupported_scheme"),
    (_scrapy("DownloadCancelledError") + (defer.CancelledError,), "cancelled"),
    (_scrapy("DownloadFailedError") + (net_error.ConnectionLost, net_error.ConnectionDone,
                                       ResponseFailed, ResponseNeverReceived), "connection_lost"),
)


def _unwrap(exc: BaseException) -> list[BaseException]:
    reasons = getattr(exc, "reasons", None)
    if isinstance(exc, ResponseNeverReceived | ResponseFailed) and reasons:
        return [r.value for r in reasons]
    return [exc]


def _ignored_kind(message: str) -> str:
    if "robots.txt" in message.lower() or "Forbidden by robots" in message:
        return "robots_disallowed"
    if "max redirections" in message or "redirect loop" in message:
        return "redirect_loop"
    if "challenge" in message.lower():
        return "blocked"
    if message.startswith("too large") or "DOWNLOAD_MAXSIZE" in message:
        return "too_large"
    if message.startswith("out of scope"):
        return "out_of_scope"
    if message.startswith("private address"):
        return "private_address"
    return "ignored"


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from (Scrapy wraps Twisted's)."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found and len(found) < 10:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def error_kind(exc: BaseException) -> str:
    """A short stable name for why a fetch failed (one of :data:`ERROR_KINDS`)."""
    message = str(exc)
    if isinstance(exc, IgnoreRequest):
        return _ignored_kind(message)
    if any(isinstance(e, PrivateAddressRefused) for e in _chain(exc)):
        return "private_address"
    inner = _unwrap(exc)
    for cause in inner:
        if isinstance(cause, SSLError) or "certificate" in str(cause).lower() or "SSL" in type(cause).__name__:
            return "tls"
    if "max size" in message or "maxsize" in message.lower():
        return "too_large"
    for cause in [*inner, exc]:
        for classes, kind in _BY_CLASS:
            if isinstance(cause, classes):
                return kind
    return "other"
