"""Naming failed fetches."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as net_error
from twisted.python.failure import Failure
from twisted.web import _newclient
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.fetch.errors import error_kind


def test_error_kinds() -> None:
    assert error_kind(net_error.TimeoutError()) == "timeout"
    assert error_kind(net_error.TCPTimedOutError()) == "timeout"
    assert error_kind(net_error.DNSLookupError("nx.gov.cn")) == "dns"
    assert error_kind(net_error.ConnectionRefusedError()) == "connection_refused"
    assert error_kind(IgnoreRequest("Forbidden by robots.txt")) == "robots_disallowed"
    assert error_kind(IgnoreRequest("max redirections reached")) == "redirect_loop"
    assert error_kind(IgnoreRequest("filtered")) == "ignored"
    assert error_kind(net_error.ConnectionLost()) == "connection_lost"
    assert error_kind(ValueError("odd")) == "other"  # never a raw class name


def test_scrapy_download_errors_of_the_pinned_versions_have_kinds() -> None:
    from scrapy import exceptions

    expected = {"DownloadConnectionRefusedError": "connection_refused", "CannotResolveHostError": "dns",
                "DownloadTimeoutError": "timeout", "DownloadFailedError": "connection_lost",
                "ResponseDataLossError": "data_loss", "UnsupportedURLSchemeError": "unsupported_scheme",
                "DownloadCancelledError": "cancelled"}
    for name, kind in expected.items():
        assert error_kind(getattr(exceptions, name)("x")) == kind, name
    assert error_kind(exceptions.DownloadCancelledError("over the max size (50 MB)")) == "too_large"
    assert error_kind(ResponseFailed([Failure(_newclient._DataLoss())])) == "data_loss"  # noqa: SLF001
    assert error_kind(ResponseFailed([Failure(net_error.ConnectionDone())])) == "connection_lost"


def test_wrapped_reasons_are_unwrapped() -> None:
    wrapped = ResponseNeverReceived([Failure(net_error.ConnectionLost())])
    assert error_kind(wrapped) == "connection_lost"
