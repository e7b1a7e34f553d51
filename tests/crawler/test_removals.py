"""Removal only on evidence: removed when every URL is gone, unlisted when still served, nothing
when the crawl did not finish the host or could not fetch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.reports.changes import REDIRECT_HOME, SOFT_404, ChangeRecorder, SeenDocument
from storage.models import AlertEvent, Report
from storage.repository import ArchiveDB

A1, A2 = "http://www.x.gov.cn/nb/2023.html", "http://xxgk.x.gov.cn/files/2023.pdf"
B1 = "http://www.x.gov.cn/nb/2022.html"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[ArchiveDB]:
    archive = ArchiveDB(f"sqlite:///{tmp_path}/a.db")
    yield archive
    archive.close()


def _recorder(db: ArchiveDB) -> ChangeRecorder:
    run = db.start_run(seeds=["http://www.x.gov.cn/"], settings={}, software_version="test")
    return ChangeRecorder(db, run_id=run, channels=[])


def _seed(db: ArchiveDB) -> None:
    recorder = _recorder(db)
    for agency, year, url, sha in (("甲局", 2023, A1, "a1"), ("甲局", 2023, A2, "a2"), ("乙局", 2022, B1, "b1")):
        recorder.record_document(SeenDocument(agency=agency, year=year, title=f"{agency}{year}年报告",
                                              published_on=None, sha256=sha * 32, url=url,
                                              capture_id=None, role="page", record=None,
                                              parser_version=None))


HOSTS = ("www.x.gov.cn", "xxgk.x.gov.cn")


def _status(db: ArchiveDB, agency: str) -> str:
    return next(r.status for r in db.session.query(Report) if r.agency == agency)


@pytest.mark.parametrize("gone", [404, 410, SOFT_404, REDIRECT_HOME])
def test_removed_only_when_every_url_is_gone(db: ArchiveDB, gone: int | str) -> None:
    _seed(db)
    recorder = _recorder(db)
    events = recorder.detect_removals(hosts=HOSTS, listed_urls={B1: 200},
                                      revalidated={A1: gone, A2: 404})
    assert [e.split(":")[0] for e in events] == ["report_removed"]
    assert _status(db, "甲局") == "removed" and _status(db, "乙局") == "live"
    event = db.session.query(AlertEvent).filter(AlertEvent.type == "report_removed").one()
    assert event.details["statuses"] == {A1: gone, A2: 404}


def test_one_url_still_answering_is_not_a_removal(db: ArchiveDB) -> None:
    _seed(db)
    events = _recorder(db).detect_removals(hosts=HOSTS, listed_urls={B1: 200},
                                           revalidated={A1: 404, A2: 200})
    assert [e.split(":")[0] for e in events] == ["report_unlisted"]
    assert _status(db, "甲局") == "live"


def test_unlisted_once_then_quiet_then_again_after_relisting(db: ArchiveDB) -> None:
    _seed(db)
    first = _recorder(db).detect_removals(hosts=HOSTS, listed_urls={B1: 200}, revalidated={A1: 200, A2: 200})
    second = _recorder(db).detect_removals(hosts=HOSTS, listed_urls={B1: 200}, revalidated={A1: 200, A2: 200})
    relisted = _recorder(db).detect_removals(hosts=HOSTS, listed_urls={B1: 200, A1: 200}, revalidated={})
    third = _recorder(db).detect_removals(hosts=HOSTS, listed_urls={B1: 200}, revalidated={A1: 200, A2: 200})
    assert [len(first), len(second), len(relisted), len(third)] == [1, 0, 0, 1]
    assert _status(db, "甲局") == "live"


def test_a_listed_url_that_answers_404_is_evidence_too(db: ArchiveDB) -> None:
    _seed(db)
    events = _recorder(db).detect_removals(hosts=HOSTS, listed_urls={B1: 404}, revalidated={A1: 200, A2: 200})
    assert sorted(e.split(":")[0] for e in events) == ["report_removed", "report_unlisted"]
    assert _status(db, "乙局") == "removed"


def test_no_evidence_no_event(db: ArchiveDB) -> None:
    _seed(db)
    events = _recorder(db).detect_removals(hosts=HOSTS, listed_urls={B1: 200},
                                           revalidated={A1: None, A2: None})
    assert events == []
    assert _status(db, "甲局") == "live"


def test_an_unfinished_host_produces_no_removal(db: ArchiveDB) -> None:
    _seed(db)
    events = _recorder(db).detect_removals(hosts=HOSTS, listed_urls={}, revalidated={A1: 404, A2: 404, B1: 404},
                                           unfinished_hosts={"xxgk.x.gov.cn"})
    assert [e.split(":")[0] for e in events] == ["report_removed"]  # 乙局 only: 甲局 has a URL there
    assert _status(db, "甲局") == "live" and _status(db, "乙局") == "removed"
