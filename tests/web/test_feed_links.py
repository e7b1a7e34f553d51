"""The web app's Atom feed links under the configured ``[alerts] base_url`` (a proxy in front of
the app changes the host), and under the URL the request was sent to when none is set."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from lxml import etree
from sqlalchemy.orm import Session

from crawler.alerts.atom import ATOM_NS, newest_events
from crawler.web.pages import FEED_SIZE
from tests.web.conftest import WebArchive
from tests.web.helpers import ServeProcess, serving_with_settings

PUBLIC = "https://archive.example.org/govreports"
#: The host a reverse proxy in front of the app sends on (not where readers reach it).
PROXY_HOST = "127.0.0.1:9"
A = f"{{{ATOM_NS}}}"


@pytest.fixture(scope="module")
def behind_proxy(web_archive: WebArchive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``govreports serve`` whose settings file gives the public address (trailing slash)."""
    with serving_with_settings(web_archive.db_url, web_archive.archive_dir,
                               tmp_path_factory.mktemp("feed-config") / "govreports.toml",
                               f'[alerts]\nbase_url = "{PUBLIC}/"\n') as base_url:
        yield base_url


def _feed(url: str, host: str, **params: str) -> etree._Element:
    response = httpx.get(url, params=params, headers={"Host": host}, timeout=30)
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


def _self_link(feed: etree._Element) -> str:
    return str(feed.find(f"{A}link[@rel='self']").get("href"))


def _alternates(feed: etree._Element) -> list[str]:
    return [str(entry.find(f"{A}link[@rel='alternate']").get("href"))
            for entry in feed.iter(f"{A}entry")]


def _expected(db: Session, base: str, type_: str | None = None) -> list[str]:
    """Each event's page under ``base``: its report, or for an overdue report its agency."""
    return [f"{base}/reports/{e.report_id}" if e.report_id is not None
            else f"{base}/agencies/{quote(e.agency, safe='')}"
            for e in newest_events(db, FEED_SIZE, type_=type_)]


def test_feed_links_use_the_configured_base_url(behind_proxy: str, db: Session) -> None:
    feed = _feed(f"{behind_proxy}/alerts.atom", PROXY_HOST)
    expected = _expected(db, PUBLIC)
    assert expected and _alternates(feed) == expected
    assert any("/agencies/" in link for link in expected), "an overdue event links its agency"
    assert _self_link(feed) == f"{PUBLIC}/alerts.atom"
    body = etree.tostring(feed, encoding="unicode")
    assert PROXY_HOST not in body, "no link names the host the proxy sent"
    for entry in feed.iter(f"{A}entry"):  # the HTML content links the archived copy too
        alternate = entry.find(f"{A}link[@rel='alternate']").get("href")
        assert f'href="{alternate}"' in entry.findtext(f"{A}content")


def test_feed_self_link_keeps_the_filters(behind_proxy: str, db: Session) -> None:
    feed = _feed(f"{behind_proxy}/alerts.atom", PROXY_HOST, type="report_changed")
    assert _self_link(feed) == f"{PUBLIC}/alerts.atom?type=report_changed"
    expected = _expected(db, PUBLIC, "report_changed")
    assert expected and _alternates(feed) == expected


def test_feed_links_follow_the_request_without_a_base_url(server: str, db: Session) -> None:
    mirror = "mirror.example:8443"
    feed = _feed(f"{server}/alerts.atom", mirror)
    assert _alternates(feed) == _expected(db, f"http://{mirror}")
    assert _self_link(feed) == f"http://{mirror}/alerts.atom"


def test_serve_refuses_a_bad_base_url(web_archive: WebArchive) -> None:
    process = ServeProcess(web_archive.db_url, web_archive.archive_dir,
                           env={"GOVREPORTS_BASE_URL": "archive.example.org"})
    try:
        with pytest.raises(RuntimeError, match="base URL 'archive.example.org' is not an http"):
            process.wait_ready(timeout=60)
    finally:
        process.stop()  # a server that started anyway must not outlive the test
