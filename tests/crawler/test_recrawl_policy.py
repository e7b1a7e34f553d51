"""Re-crawl policies: validators and settled pages, chosen by a setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scrapy.settings import Settings

from crawler.archive.policy import ConditionalPolicy, FullPolicy, policy_class
from storage.repository import KnownUrl

NOW = datetime.now(UTC)


def _known(url: str, *, kind: str = "detail", run: int = 1, etag: str | None = '"e1"') -> KnownUrl:
    return KnownUrl(url=url, kind=kind, status=200, etag=etag, last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
                    sha256="ab" * 32, capture_id=1, capture_url=url, size=10, content_type="text/html",
                    charset="utf-8", capture_kind="page", warc_file="w.warc.gz", warc_offset=0,
                    warc_record_id="<urn:uuid:1>", fetched_at=NOW, last_checked_at=NOW - timedelta(days=1),
                    last_run_id=run)


def test_the_setting_chooses_the_policy() -> None:
    assert policy_class(Settings()) is ConditionalPolicy
    assert policy_class(Settings({"GOVREPORTS_RECRAWL_POLICY": "crawler.archive.policy.FullPolicy"})) is FullPolicy
    assert policy_class(Settings({"GOVREPORTS_CONDITIONAL": False})) is FullPolicy


def test_conditional_policy_sends_validators_and_settles_news_pages_of_completed_runs() -> None:
    known = {u.url: u for u in (_known("http://a/news"), _known("http://a/path-to-report"),
                                _known("http://a/crashed", run=2), _known("http://a/list", kind="list"))}
    policy = ConditionalPolicy(known, {"http://a/path-to-report"}, timedelta(days=7), completed_runs={1})
    assert policy.validators_for("http://a/news") == {
        "If-None-Match": '"e1"', "If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}
    assert policy.validators_for("http://a/unknown") == {}
    assert policy.is_settled("http://a/news")
    assert not policy.is_settled("http://a/path-to-report")  # leads to a report
    assert not policy.is_settled("http://a/list")  # lists are always read
    # last checked by a run that did not complete: it may have died before linking a report
    assert not policy.is_settled("http://a/crashed")
    later = ConditionalPolicy(known, set(), timedelta(hours=1), completed_runs={1, 2})
    assert not later.is_settled("http://a/news")  # checked a day ago, revisit after an hour


def test_full_policy_asks_everything_in_full() -> None:
    policy = FullPolicy()
    assert policy.validators_for("http://a/news") == {} and not policy.is_settled("http://a/news")
