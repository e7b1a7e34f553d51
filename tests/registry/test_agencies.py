"""The agency registry: import and list with official division codes; compliance judged against it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.cli.main import main
from crawler.reports.compliance import Evidence, absent_status
from crawler.reports.divisions import UnknownDivision, division, find_region, within
from crawler.testbed.synthetic_archive import build_synthetic_archive
from storage.agencies import compliance_evidence
from storage.db import make_engine
from storage.models import Report, ReportVersion
from storage.repository import ArchiveDB
from tests.web.helpers import ServeProcess

REGISTRY = """name,aliases,division_code,level,parent,portal_url
宁夏回族自治区人民政府,宁夏政府,640000,province,,http://www.nx.gov.test/
固原市人民政府,,640400,prefecture,宁夏回族自治区人民政府,http://www.nxgy.gov.test/
西吉县人民政府,西吉县政府、西吉县府,640422000000,county,固原市人民政府,http://www.nxxj.gov.test/
甘肃省人民政府,,620000,province,,https://www.gansu.gov.test/
坏行,,999999,county,,
,,640000,province,,
西吉县教育局,,640422,department,西吉县人民政府,ftp://x.test/
"""


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_divisions_come_from_the_official_list_and_nest() -> None:
    ningxia = find_region("宁夏回族自治区")
    assert (ningxia.code, ningxia.level, ningxia.prefix, ningxia.name_en) == ("640000", "province", "64", "Ningxia")
    assert find_region("固原市") == find_region("6404") == division("640400")
    xiji = division("640422000000")  # a 12-digit statistical code keeps its first six digits
    assert xiji.name == "西吉县" and within(xiji.code, ningxia) and within(xiji.code, find_region("固原"))
    assert not within("620100", ningxia)
    for bad in ("999999", "64", "abc"):
        with pytest.raises(UnknownDivision):
            division(bad)


def test_import_and_list_with_region_roll_up(tmp_path: Path) -> None:
    csv_file = tmp_path / "agencies.csv"
    csv_file.write_text(REGISTRY, encoding="utf-8-sig")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    code, out, err = _cli("agencies", "import", str(csv_file), "--db", db)
    assert code == 1, "rejected rows make the import exit 1 (the good rows are imported)"
    assert "imported 4 new and 0 updated agencies; 3 row(s) rejected" in out
    assert "line 6: division_code: 999999 is not in the official division list" in err
    assert "line 7: name is empty" in err and "line 8: portal_url 'ftp://x.test/'" in err

    code, out, err = _cli("agencies", "list", "--region", "宁夏", "--db", db, "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["name"] for r in rows] == ["宁夏回族自治区人民政府", "固原市人民政府", "西吉县人民政府"]
    assert rows[2]["division_code"] == "640422" and rows[2]["division"] == "西吉县"
    assert rows[2]["aliases"] == ["西吉县政府", "西吉县府"] and "3 agencies in 宁夏 (64)" in err
    _, out, _ = _cli("agencies", "list", "--region", "固原市", "--db", db)
    assert [line.split("\t")[3] for line in out.splitlines()] == ["固原市人民政府", "西吉县人民政府"]
    _, out, _ = _cli("agencies", "list", "--db", db)
    assert len(out.splitlines()) == 4

    csv_file.write_text(REGISTRY.replace("http://www.nxgy.gov.test/", "http://new.nxgy.gov.test/"), "utf-8")
    _, out, _ = _cli("agencies", "import", str(csv_file), "--db", db)
    assert "imported 0 new and 4 updated" in out
    _, out, _ = _cli("agencies", "list", "--region", "6404", "--db", db)
    assert "http://new.nxgy.gov.test/" in out
    code, _, err = _cli("agencies", "list", "--region", "火星", "--db", db)
    assert code == 2 and "not the name of an official division" in err


def test_absent_status_rules() -> None:
    deadline, today = date(2024, 3, 31), date(2024, 6, 1)
    crawled = Evidence(registered={"甲局": "甲局", "甲": "甲局"},
                       portal_crawled={"甲局": datetime(2024, 4, 2, tzinfo=UTC)})
    assert absent_status("甲局", deadline, today, crawled) == "missing"
    assert absent_status("甲", deadline, today, crawled) == "missing"  # an alias
    assert absent_status("乙局", deadline, today, crawled) == "not_found"  # not registered
    assert absent_status("甲局", deadline, date(2024, 3, 30), crawled) == "not_due"
    early = Evidence(registered={"甲局": "甲局"}, portal_crawled={"甲局": datetime(2024, 3, 1, tzinfo=UTC)})
    assert absent_status("甲局", deadline, today, early) == "not_found"  # looked before it was due


@pytest.fixture(scope="module")
def registered_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, int, str]]:
    """A synthetic archive, one of its agencies registered with its portal crawled today;
    yields (base URL, that agency, a year it has no report, an unregistered agency)."""
    root = tmp_path_factory.mktemp("registry")
    db_url = f"sqlite:///{root / 'a.db'}"
    build_synthetic_archive(db_url, root / "archive", reports=40, seed=3)
    engine = make_engine(db_url)
    with Session(engine) as session:
        years: dict[str, set[int]] = {}
        hosts: dict[str, str] = {}
        for report, url in session.execute(select(Report, ReportVersion.url).join(
                ReportVersion, ReportVersion.id == Report.current_version_id)):
            years.setdefault(report.agency, set()).add(report.year)
            hosts[report.agency] = urlsplit(url).netloc
    engine.dispose()
    due = date.today().year - 2  # a year whose deadline (31 January or 31 March after it) has passed

    def gaps(a: str) -> list[int]:
        return [y for y in range(min(years[a]), due + 1) if y not in years[a]]

    agency = next(a for a in sorted(years) if gaps(a))
    gap = gaps(agency)[0]
    other = next(a for a in sorted(years) if a != agency and gaps(a))
    csv_file = root / "agencies.csv"
    csv_file.write_text(f"name,aliases,division_code,level,parent,portal_url\n"
                        f"{agency},,640400,department,,http://{hosts[agency]}/\n", encoding="utf-8")
    assert _cli("agencies", "import", str(csv_file), "--db", db_url)[0] == 0
    db = ArchiveDB(db_url, migrate=False)
    run = db.start_run(seeds=[f"http://{hosts[agency]}/"], settings={}, software_version="test")
    db.finish_run(run, status="completed", counts={})
    evidence = compliance_evidence(db.session)
    db.close()
    assert evidence.crawled_after(agency, date(gap + 1, 3, 31))
    server = ServeProcess(db_url, root / "archive")
    server.wait_ready()
    try:
        yield server.base_url, agency, gap, other
    finally:
        server.stop()


def test_web_calls_a_gap_missing_only_for_a_registered_crawled_agency(
        registered_archive: tuple[str, str, int, str]) -> None:
    base, agency, gap, other = registered_archive
    body = httpx.get(f"{base}/api/v1/agencies/{quote(agency, safe='')}", timeout=30).json()
    states = {y["year"]: y["timeliness"] for y in body["years"] if y["report"] is None}
    assert states[gap] == "missing"
    body = httpx.get(f"{base}/api/v1/agencies/{quote(other, safe='')}", timeout=30).json()
    gaps = {y["timeliness"] for y in body["years"] if y["report"] is None}
    assert gaps and gaps <= {"not_found", "not_due"}  # unregistered: never "missing"
    coverage = httpx.get(f"{base}/api/v1/coverage", params={"year": gap}, timeout=30).json()
    assert coverage["summary"]["missing"] == 1 and coverage["summary"]["registered"] == 1
    page = httpx.get(f"{base}/agencies/{quote(agency, safe='')}", timeout=30).text
    assert "缺报" in page and "存档未见" not in page.split(str(gap), 1)[1][:400]
