"""Naming failed fetches."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as net_error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

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
    assert error_kind(ValueError("odd")) == "ValueError"


def test_wrapped_reasons_are_unwrapped() -> None:
    wrapped = ResponseNeverReceived([Failure(net_error.ConnectionLost())])
    assert error_kind(wrapped) == "connection_lost"
