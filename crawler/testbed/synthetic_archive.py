"""A realistic synthetic archive, fast: for exports, the web app and benchmarks.

:func:`build_synthetic_archive` fills an empty database and archive folder with generated
annual reports of agencies over several regions and hosts, 2019–2025 (some agencies missing
years, some reports published after the legal deadline), each report with one or two
documents (HTML pages rendered by :mod:`crawler.testbed.reportgen`, a few PDF attachments) stored as
content-addressed blobs and as WARC response records, a capture per document, the parse
record the document carries (with the official checks computed by the parser's own
:func:`crawler.reports.checks.run_checks`; some reports break a check on purpose), some
reports with two or three versions (changes from :func:`crawler.reports.versions.diff_records`) and
the alert events a crawl would have recorded. Rows are written with bulk inserts in chunks,
so memory stays flat however many reports are asked for.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from crawler.parsing.version import PARSER_VERSION
from crawler.reports.changes import Deadlines
from crawler.reports.checks import run_checks
from crawler.reports.schema import result_rows
from crawler.reports.versions import diff_records, fingerprint
from crawler.testbed.reportgen import GeneratedReport, random_report, render_html_page, render_pdf
from crawler.testbed.reportgen.model import format_date
from crawler.version import software_version
from storage.blobs import LocalBlobStore
from storage.bulk import BulkWriter, add_crawl_run, finish_runs, has_reports, site_id
from storage.models import (
    AlertEvent,
    Capture,
    Document,
    ParseResult,
    Report,
    ReportDocument,
    ReportVersion,
)
from storage.repository import ArchiveDB
from storage.warc import WarcWriter

YEARS = tuple(range(2019, 2026))
#: (host label, prefecture-level area, its counties and districts).
AREAS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("yinchuan", "银川市", ("兴庆区", "金凤区", "西夏区", "永宁县", "贺兰县", "灵武市")),
    ("shizuishan", "石嘴山市", ("大武口区", "惠农区", "平罗县")),
    ("wuzhong", "吴忠市", ("利通区", "红寺堡区", "盐池县", "同心县", "青铜峡市")),
    ("guyuan", "固原市", ("原州区", "西吉县", "隆德县", "泾源县", "彭阳县")),
    ("zhongwei", "中卫市", ("沙坡头区", "中宁县", "海原县")),
    ("xining", "西宁市", ("城中区", "城东区", "城西区", "城北区", "湟中区")),
    ("haidong", "海东市", ("乐都区", "平安区", "民和回族土族自治县", "互助土族自治县")),
    ("pingdingshan", "平顶山市", ("新华区", "卫东区", "湛河区", "宝丰县", "叶县", "鲁山县",
                                  "郏县", "舞钢市", "汝州市")),
)
PROVINCE = ("nx", "宁夏回族自治区", ("财政厅", "教育厅", "民政厅", "司法厅", "自然资源厅",
                                    "交通运输厅", "水利厅", "农业农村厅", "商务厅", "审计厅",
                                    "统计局", "人民政府办公厅", "卫生健康委员会", "应急管理厅"))
ZONES = {"yinchuan": "银川经济技术开发区管理委员会", "shizuishan": "石嘴山高新技术产业开发区管理委员会",
         "wuzhong": "宁夏吴忠金积工业园区管委会", "haidong": "海东工业园区管理委员会",
         "pingdingshan": "平顶山高新技术产业开发区管理委员会"}
BUREAUS = ("人民政府", "人民政府办公室", "发展和改革局", "教育局", "科学技术局", "民政局", "司法局",
           "财政局", "人力资源和社会保障局", "自然资源局", "住房和城乡建设局", "交通运输局", "水务局",
           "农业农村局", "商务局", "文化旅游广电局", "卫生健康局", "应急管理局", "审计局",
           "市场监督管理局", "统计局", "医疗保障局", "退役军人事务局", "林业和草原局", "生态环境局",
           "城市管理局", "公安局", "信访局")
_TOWN_SYLLABLES = "东西南北新河山城安平丰宁兴和龙泉石桥沙湖马高大小清金柳杨"
#: Shares of generated reports: broken checks, blank cells, late, extra versions, removed.
P_BROKEN, P_BLANKS, P_LATE, P_VERSIONS, P_REMOVED, P_MIRROR = 0.08, 0.3, 0.1, 0.05, 0.01, 0.15
_CHUNK = 250


@dataclass(frozen=True)
class SyntheticArchive:
    """What :func:`build_synthetic_archive` wrote, with a few reports worth looking at."""

    db_url: str
    archive_dir: Path
    seed: int
    reports: int
    agencies: int
    hosts: tuple[str, ...]
    documents: int
    captures: int
    versions: int
    alert_events: int
    warc_files: tuple[str, ...]
    #: A report whose current version fails at least one official check.
    failed_check_report_id: int
    #: A report with two or more versions.
    versioned_report_id: int
    #: A report published after its legal deadline.
    late_report_id: int
    #: A report that carries a PDF attachment besides its page (0 when none was made).
    pdf_report_id: int
    #: A removed report (0 when none was made).
    removed_report_id: int
    #: Reports per year, for coverage checks.
    reports_per_year: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Agency:
    name: str
    label: str  # host label

    @property
    def host(self) -> str:
        return f"www.{self.label}.gov.test"


def agency_pool() -> Iterator[_Agency]:
    """Every agency the generator knows, province first, then by area; townships last."""
    label, province, offices = PROVINCE
    for office in offices:
        yield _Agency(province + office, label)
    for label, city, counties in AREAS:
        for place in (city, *(city + c if c.endswith("区") else c for c in counties)):
            for bureau in BUREAUS:
                yield _Agency(place + bureau, label)
        if label in ZONES:
            yield _Agency(ZONES[label], label)
    for first in _TOWN_SYLLABLES:
        for second in _TOWN_SYLLABLES:
            if first == second:
                continue
            for label, _, counties in AREAS:
                for county in counties:
                    if county.endswith("县"):
                        yield _Agency(f"{county}{first}{second}镇人民政府", label)


def _plan(rng: random.Random, reports: int, agencies: int | None) -> list[tuple[_Agency, int]]:
    """(agency, year) pairs: each agency from a start year, with some years missing."""
    if reports < 1:
        raise ValueError("reports must be at least 1")
    pool = list(agency_pool())
    townships = [a for a in pool if a.name.endswith("镇人民政府")]
    pool = [a for a in pool if not a.name.endswith("镇人民政府")]
    rng.shuffle(pool)
    rng.shuffle(townships)
    pool += townships  # townships only when the bureaus run out
    if agencies is not None:
        if agencies < 1 or agencies > len(pool):
            raise ValueError(f"agencies must be between 1 and {len(pool)}")
        if reports > agencies * len(YEARS):
            raise ValueError(f"{agencies} agencies publish at most {agencies * len(YEARS)} reports "
                             f"in {YEARS[0]}–{YEARS[-1]}; ask for fewer reports or more agencies")
    chosen: list[tuple[_Agency, int]] = []
    skipped: list[tuple[_Agency, int]] = []
    for index, agency in enumerate(pool):
        if len(chosen) >= reports or (agencies is not None and index >= agencies):
            break
        start = YEARS[0] if rng.random() < 0.7 else rng.choice(YEARS[1:4])
        for year in YEARS:
            missing = year < start or rng.random() < 0.07 or (year == YEARS[-1] and rng.random() < 0.12)
            (skipped if missing else chosen).append((agency, year))
    if agencies is not None and len(chosen) < reports:
        chosen += skipped[: reports - len(chosen)]
    if len(chosen) < reports:
        raise ValueError(f"the generator knows {len(pool)} agencies; at most about "
                         f"{len(chosen)} reports can be generated")
    return chosen[:reports]


def _published_on(rng: random.Random, agency: str, year: int) -> tuple[date, bool]:
    deadline = Deadlines().for_agency(agency, year)
    if rng.random() < P_LATE:
        return deadline + timedelta(days=rng.randint(1, 150)), True
    first = date(year + 1, 1, 4)
    return first + timedelta(days=rng.randint(0, (deadline - first).days)), False


def _record(report: GeneratedReport) -> dict[str, Any]:
    """The parse record of the report: what the parser returns for its documents."""
    record = report.expected_record()
    record["table_templates"] = {"active_disclosure": report.template,
                                 "applications": report.template}
    record["checks"] = run_checks(record["applications"], record["review_litigation"])
    record["warnings"] = []
    record["parser_version"] = PARSER_VERSION
    return record


def _revise(rng: random.Random, report: GeneratedReport) -> GeneratedReport:
    """A corrected edition: a few result cells moved (totals kept), sometimes new text."""
    apps = {row: dict(cells) for row, cells in report.applications.items()}
    rows = result_rows(report.template)
    for _ in range(rng.randint(1, 3)):
        col = rng.choice(("natural_person", "commercial_enterprise"))
        src, dst = rng.sample(rows, 2)
        if (apps[src][col] or 0) > 0:
            apps[src][col] = (apps[src][col] or 0) - 1
            apps[dst][col] = (apps[dst][col] or 0) + 1
            apps[src]["total"] = (apps[src]["total"] or 0) - 1
            apps[dst]["total"] = (apps[dst]["total"] or 0) + 1
        else:
            apps[dst][col] = (apps[dst][col] or 0) + 1
            apps[dst]["total"] = (apps[dst]["total"] or 0) + 1
            apps["total"][col] = (apps["total"][col] or 0) + 1
            apps["total"]["total"] = (apps["total"]["total"] or 0) + 1
            apps["new_received"][col] = (apps["new_received"][col] or 0) + 1
            apps["new_received"]["total"] = (apps["new_received"]["total"] or 0) + 1
    sections = dict(report.sections)
    if rng.random() < 0.5:
        sections["other"] = sections["other"] + "\n本报告已根据核查结果更正部分统计数据。"
    return dataclasses.replace(report, applications=apps, sections=sections)


class _Builder:
    """Generates one report after another into a :class:`BulkWriter`, blobs and WARC files."""

    def __init__(self, rng: random.Random, writer: BulkWriter, archive_dir: Path,
                 runs: dict[int, int]) -> None:
        self.rng = rng
        self.writer = writer
        self.blobs = LocalBlobStore(archive_dir / "blobs")
        self.warc_dir = archive_dir / "warc"
        self.warcs: dict[str, WarcWriter] = {}
        self.runs = runs
        self.sites: dict[str, int] = {}
        self.pdfs_left = 0
        self.examples: dict[str, int] = {}
        self.per_year: dict[int, int] = {}
        self.digests: set[str] = set()
        self.parsed: set[str] = set()

    def _store(self, data: bytes, content_type: str, seen: datetime) -> str:
        path = self.blobs.path_for(_sha256(data))
        digest = path.name
        if digest not in self.digests:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            self.digests.add(digest)
            self.writer.add(Document, sha256=digest, size=len(data), content_type=content_type,
                            blob_path=str(path), first_seen_at=seen)
        return digest

    def _capture(self, agency: _Agency, url: str, data: bytes, digest: str, content_type: str,
                 fetched_at: datetime, referrer: str | None) -> int:
        warc = self.warcs.get(agency.label)
        if warc is None:
            warc = WarcWriter(self.warc_dir, prefix=f"govreports-synthetic-{agency.label}",
                              max_bytes=20_000_000, software=software_version(),
                              info={"description": "synthetic archive (crawler.testbed.synthetic_archive)"})
            self.warcs[agency.label] = warc
        headers = [("Content-Type", content_type), ("Content-Length", str(len(data)))]
        location = warc.write_exchange(
            url=url, method="GET", request_headers=[("Host", agency.host)], request_body=b"",
            status=200, reason="OK", http_version="HTTP/1.1", response_headers=headers,
            response_body=data, fetched_at=fetched_at, peer_ip="127.0.0.1")
        charset = "utf-8" if content_type.startswith("text/") else None
        return self.writer.add(
            Capture, run_id=self._run_for(fetched_at), site_id=self.sites[agency.host], url=url,
            final_url=url, referrer=referrer, method="GET", status=200,
            headers={"Content-Type": content_type}, content_type=content_type.split(";")[0],
            charset=charset, sha256=digest, size=len(data), fetched_at=fetched_at,
            warc_file=location.filename, warc_offset=location.offset,
            warc_record_id=location.record_id, tls_verified=None, error_kind=None,
            error_message=None, kind="document" if charset is None else "detail", depth=2)

    def _run_for(self, moment: datetime) -> int:
        season = min(max(moment.year - 1, YEARS[0]), YEARS[-1])
        return self.runs[season]

    def _document(self, report_id: int, agency: _Agency, report: GeneratedReport, url: str,
                  fetched_at: datetime, version_id: int | None, *, pdf: bool = False,
                  record: dict[str, Any]) -> str:
        """Store, capture and parse one document of the report; its sha256."""
        if pdf:
            data, content_type, role = render_pdf(report), "application/pdf", "attachment"
        else:
            data = render_html_page(report).encode("utf-8")
            content_type, role = "text/html; charset=utf-8", "page"
        digest = self._store(data, content_type.split(";")[0], fetched_at)
        list_url = f"http://{agency.host}/xxgk/zfxxgknb/"
        capture_id = self._capture(agency, url, data, digest, content_type, fetched_at, list_url)
        self.writer.add(ReportDocument, report_id=report_id, sha256=digest, url=url,
                        capture_id=capture_id, role=role, first_seen_at=fetched_at,
                        last_seen_at=fetched_at, version_id=version_id)
        if digest not in self.parsed:  # the same content at a second URL is parsed once
            self.parsed.add(digest)
            self.writer.add(ParseResult, sha256=digest, parser_version=PARSER_VERSION,
                            status="ok", message=None, record=record,
                            parsed_at=fetched_at + timedelta(seconds=2))
        return digest

    def build(self, index: int, agency: _Agency, year: int) -> None:
        rng, w = self.rng, self.writer
        broken = rng.random() < P_BROKEN
        report = random_report(rng, agency=agency.name, year=year, consistent=not broken,
                               blank_probability=0.05 if rng.random() < P_BLANKS else 0.0)
        published, late = _published_on(rng, agency.name, year)
        report = dataclasses.replace(report, published_on=published,
                                     signature=f"{agency.name}\n{format_date(published)}")
        seen = datetime(published.year, published.month, published.day, 9, tzinfo=UTC) + \
            timedelta(days=rng.randint(1, 12), minutes=rng.randint(0, 600))
        editions = [report]
        if rng.random() < P_VERSIONS:
            for _ in range(rng.randint(1, 2)):
                editions.append(_revise(rng, editions[-1]))
        report_id = w.next_id[Report]
        url = f"http://{agency.host}/xxgk/zfxxgknb/{year}/t{published:%Y%m%d}_{index + 1}.html"
        removed = rng.random() < P_REMOVED
        last_seen = seen
        version_id: int | None = None
        previous: dict[str, Any] | None = None
        previous_digest = ""
        for number, edition in enumerate(editions, 1):
            record = _record(edition)
            when = seen if number == 1 else last_seen + timedelta(days=rng.randint(20, 200))
            version_id = w.next_id[ReportVersion]
            digest = self._document(report_id, agency, edition, url, when, version_id,
                                    record=record)
            changes = None
            if previous is not None:
                diff = diff_records(previous, record, compare_text=True)
                changes = diff.as_dict() | {"summary": diff.summary(), "previous_url": url,
                                            "previous_sha256": previous_digest}
                w.add(AlertEvent, key=f"report_changed:{report_id}:v{number}",
                      type="report_changed", report_id=report_id, agency=agency.name, year=year,
                      run_id=self._run_for(when), created_at=when,
                      details=changes | {"version": number, "url": url, "sha256": digest})
            w.add(ReportVersion, report_id=report_id, number=number,
                  fingerprint=fingerprint(record), sha256=digest, url=url,
                  parser_version=PARSER_VERSION, run_id=self._run_for(when), first_seen_at=when,
                  last_seen_at=when, changes=changes)
            if number == 1 and self.pdfs_left > 0 and rng.random() < 0.3:
                self.pdfs_left -= 1
                pdf_url = url.replace(".html", ".pdf").replace("/t", "/P")
                self._document(report_id, agency, edition, pdf_url, when, version_id, pdf=True,
                               record=record)
                self.examples.setdefault("pdf", report_id)
            elif number == 1 and rng.random() < P_MIRROR:
                mirror = f"http://{agency.host}/zwgk/ndbg/{year}/{index + 1}.html"
                self._document(report_id, agency, edition, mirror, when, version_id,
                               record=record)
            previous, previous_digest, last_seen = record, digest, when
        assert previous is not None
        w.add(Report, agency=agency.name, year=year, title=report.title, published_on=published,
              first_seen_at=seen, last_seen_at=last_seen,
              status="removed" if removed else "live",
              removed_at=last_seen + timedelta(days=400) if removed else None,
              missing_runs=2 if removed else 0, current_version_id=version_id)
        w.add(AlertEvent, key=f"new_report:{report_id}", type="new_report", report_id=report_id,
              agency=agency.name, year=year, run_id=self._run_for(seen), created_at=seen,
              details={"title": report.title, "url": url, "published_on": published.isoformat(),
                       "reappeared": False})
        if removed:
            gone = last_seen + timedelta(days=400)
            w.add(AlertEvent, key=f"report_removed:{report_id}:{self._run_for(gone)}",
                  type="report_removed", report_id=report_id, agency=agency.name, year=year,
                  run_id=self._run_for(gone), created_at=gone,
                  details={"reason": "http_404", "urls": [url], "statuses": {url: 404},
                           "unlisted_runs": 0})
            self.examples.setdefault("removed", report_id)
        if any(not c["ok"] for c in previous["checks"]):
            self.examples.setdefault("failed", report_id)
        if len(editions) > 1:
            self.examples.setdefault("versioned", report_id)
        if late:
            self.examples.setdefault("late", report_id)
        self.per_year[year] = self.per_year.get(year, 0) + 1

    def close(self) -> list[str]:
        names: list[str] = []
        for warc in self.warcs.values():
            warc.close()
            names += warc.filenames
        return sorted(names)


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _overdue_events(writer: BulkWriter, plan: list[tuple[_Agency, int]], runs: dict[int, int]) -> None:
    """``report_overdue`` for agencies with a report for the year before the last and none after."""
    years: dict[str, set[int]] = {}
    for agency, year in plan:
        years.setdefault(agency.name, set()).add(year)
    last = YEARS[-1]
    for name in sorted(years):
        if last - 1 in years[name] and last not in years[name]:
            deadline = Deadlines().for_agency(name, last)
            checked = deadline + timedelta(days=1)
            writer.add(AlertEvent, key=f"report_overdue:{name}:{last}", type="report_overdue",
                       report_id=None, agency=name, year=last, run_id=runs[last],
                       created_at=datetime(checked.year, checked.month, checked.day, 6, tzinfo=UTC),
                       details={"deadline": deadline.isoformat(), "last_year": last - 1,
                                "checked_on": checked.isoformat()})


def build_synthetic_archive(db_url: str, archive_dir: Path, *, reports: int, seed: int = 0,
                            agencies: int | None = None) -> SyntheticArchive:
    """Write ``reports`` generated reports (of ``agencies`` agencies, if given) into an empty archive.

    Deterministic for a seed (apart from WARC record ids and file names). Raises ValueError
    when the database already holds reports or the numbers cannot be met.
    """
    rng = random.Random(seed)
    archive_dir = Path(archive_dir)
    plan = _plan(rng, reports, agencies)
    db = ArchiveDB(db_url, migrate=True)
    try:
        session = db.session
        if has_reports(session):
            raise ValueError(f"{db_url} already holds reports; build a synthetic archive into an "
                             "empty database")
        hosts = sorted({agency.host for agency, _ in plan})
        runs = _add_runs(session, hosts, seed)
        sites = {host: site_id(session, host, first_seen_at=datetime(YEARS[0] + 1, 1, 2, tzinfo=UTC))
                 for host in hosts}
        session.commit()
        writer = BulkWriter(session)
        builder = _Builder(rng, writer, archive_dir, runs)
        builder.sites = sites
        builder.pdfs_left = min(40, max(1, reports // 100))
        try:
            for index, (agency, year) in enumerate(plan):
                builder.build(index, agency, year)
                if (index + 1) % _CHUNK == 0:
                    writer.flush()
            _overdue_events(writer, plan, runs)
            writer.flush()
            writer.advance_sequences()
        finally:
            warc_files = builder.close()
        finish_runs(session, list(runs.values()))
        session.commit()
    finally:
        db.close()
    ex = builder.examples
    return SyntheticArchive(
        db_url=db_url, archive_dir=archive_dir, seed=seed, reports=writer.counts[Report],
        agencies=len({agency.name for agency, _ in plan}), hosts=tuple(hosts),
        documents=writer.counts[Document], captures=writer.counts[Capture],
        versions=writer.counts[ReportVersion], alert_events=writer.counts[AlertEvent],
        warc_files=tuple(warc_files), failed_check_report_id=ex.get("failed", 0),
        versioned_report_id=ex.get("versioned", 0), late_report_id=ex.get("late", 0),
        pdf_report_id=ex.get("pdf", 0), removed_report_id=ex.get("removed", 0),
        reports_per_year=dict(sorted(builder.per_year.items())),
    )


def _add_runs(session: Session, hosts: list[str], seed: int) -> dict[int, int]:
    """One crawl run per report season (the year after each report year)."""
    runs: dict[int, int] = {}
    for year in YEARS:
        runs[year] = add_crawl_run(
            session, started_at=datetime(year + 1, 1, 2, 2, tzinfo=UTC), status="completed",
            seeds=[f"http://{h}/" for h in hosts],
            settings={"synthetic": True, "seed": seed, "season": year + 1},
            software_version=software_version())
    session.commit()
    return runs
