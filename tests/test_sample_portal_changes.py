"""The sample portal changes between crawls: validators, and each change seen over real HTTP."""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import http.client
import re
import ssl
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from crawler.parsing import parse_bytes
from crawler.testbed.reportgen import failed_checks
from crawler.testbed.sample_portal import (
    AddReport,
    AppliedChange,
    RemoveReport,
    ReplacePdf,
    RepostReport,
    SamplePortal,
    UnlistReport,
)
from crawler.testbed.sample_portal.model import UNLISTED

#: Behaviours whose answers are not a stored body served as is.
_DYNAMIC = {"transient", "calendar", "session", "jpage", "large", "throttled"}
#: Paths of list resources (column pages, sitemap, jpage proxy) on the four sites.
_LIST_PATH = re.compile(r"/zwgk/zfxxgknb/index(_\d+)?\.html|/col/col\d+/index\.html"
                        r"|/module/web/jpage/dataproxy\.jsp|/xxgk/ndbg/index\.html|/sitemap\.xml"
                        r"|/gk/nb/index\.html")
_MAGIC = {"pdf": b"%PDF", "docx": b"PK\x03\x04", "doc": b"\xd0\xcf\x11\xe0"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def decoded(self) -> bytes:
        """The body without its content-coding."""
        return gzip.decompress(self.body) if self.header("Content-Encoding") == "gzip" else self.body


class Client:
    """Kept-alive connections to every site of a portal (trusting its certificate)."""

    def __init__(self, portal: SamplePortal) -> None:
        self.context = ssl.create_default_context(cafile=str(portal.certificate_path))
        self._conns: dict[str, http.client.HTTPConnection] = {}
        self._lock = threading.Lock()

    def request(self, url: str, headers: dict[str, str] | None = None, *, method: str = "GET",
                data: bytes | None = None) -> Answer:
        parts = urllib.parse.urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        for attempt in range(2):
            conn = self._conn(parts)
            try:
                conn.request(method, target, body=data, headers=headers or {})
                response = conn.getresponse()
                body = response.read()
                return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                              body)
            except (http.client.HTTPException, OSError):
                conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _conn(self, parts: urllib.parse.SplitResult) -> http.client.HTTPConnection:
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._conns:
            port = parts.port or 80
            self._conns[key] = (
                http.client.HTTPSConnection("127.0.0.1", port, context=self.context, timeout=30)
                if parts.scheme == "https" else http.client.HTTPConnection("127.0.0.1", port,
                                                                            timeout=30))
        return self._conns[key]

    def get(self, url: str, **headers: str) -> Answer:
        return self.request(url, {k.replace("_", "-"): v for k, v in headers.items()})

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()


Snapshot = dict[str, tuple[int, str | None, str | None, bytes]]


@pytest.fixture
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(seed=7, slow_seconds=0.05) as running:
        yield running


@pytest.fixture
def client(portal: SamplePortal) -> Iterator[Client]:
    c = Client(portal)
    yield c
    c.close()


def static_urls(portal: SamplePortal) -> set[str]:
    """Every stored resource served from its body, as a URL."""
    return {base + path for name, base in portal.sites.items()
            for path, res in portal.model.site(name).resources.items()
            if res.behaviour not in _DYNAMIC and not res.delay}


def snapshot(client: Client, urls: set[str]) -> Snapshot:
    """(status, ETag, Last-Modified, body as sent) of every URL, asking for gzip."""
    out: Snapshot = {}
    for url in sorted(urls):
        a = client.get(url, Accept_Encoding="gzip")
        out[url] = (a.status, a.header("ETag"), a.header("Last-Modified"), a.body)
    return out


def fetch_retrying(client: Client, url: str) -> Answer:
    """A page that may fail transiently (the TRS column's second page fails twice)."""
    for _ in range(4):
        answer = client.get(url)
        if answer.status != 500:
            return answer
    return answer


def listed(portal: SamplePortal, client: Client) -> dict[str, list[str]]:
    """Site -> the detail-page URLs its report lists link, in list order."""
    sites = portal.sites
    out: dict[str, list[str]] = {}
    column = sites["trs"] + "/zwgk/zfxxgknb/"
    first = fetch_retrying(client, column + "index.html").body.decode("gbk")
    count = int(re.search(r"createPageHTML\((\d+), 0", first).group(1))  # type: ignore[union-attr]
    trs: list[str] = []
    for i in range(count):
        body = first if i == 0 else fetch_retrying(client, column + f"index_{i}.html").body.decode("gbk")
        trs += [urllib.parse.urljoin(column, h) for h in re.findall(r'href="(\./\d{6}/[^"]+)"', body)]
    out["trs"] = trs
    hanweb: list[str] = []
    for col in ("1229", "1231"):
        form = urllib.parse.urlencode({"columnid": col, "col": "1", "webid": "2"}).encode()
        proxy = sites["hanweb"] + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=500"
        answer = client.request(proxy, {"Content-Type": "application/x-www-form-urlencoded"},
                                method="POST", data=form)
        hanweb += [sites["hanweb"] + h for h in re.findall(r'href="(/art/[^"]+)"', answer.body.decode())]
    out["hanweb"] = hanweb
    plain = client.get(sites["plain"] + "/xxgk/ndbg/index.html").body.decode()
    out["plain"] = [sites["plain"] + h for h in re.findall(r'href="(/xxgk/ndbg/\d{4}/[^"]+)"', plain)]
    https = client.get(sites["https"] + "/gk/nb/index.html").body.decode()
    out["https"] = [sites["https"] + h for h in re.findall(r'href="(/gk/nb/\d[^"]+)"', https)]
    return out


def sitemap(portal: SamplePortal, client: Client) -> set[str]:
    body = client.get(portal.sites["plain"] + "/sitemap.xml").body.decode()
    return set(re.findall(r"<loc>([^<]+)</loc>", body))


def check_rest_untouched(portal: SamplePortal, client: Client, before: Snapshot,
                         applied: AppliedChange) -> Snapshot:
    """Everything outside ``applied.touched_urls`` answers as before, and revalidates to 304."""
    touched = set(applied.touched_urls)
    after = snapshot(client, set(before) | static_urls(portal))
    for url in set(before) | set(after):
        if url not in touched:
            assert before.get(url) == after.get(url), url
    # what it claims to have touched did change, and is the report's own or a list
    for url in touched & set(before) & set(after):
        assert before[url] != after[url], url
    own = set(applied.old_urls) | set(applied.new_urls)
    assert all(u in own or _LIST_PATH.fullmatch(urllib.parse.urlsplit(u).path) for u in touched)
    # conditional GETs with the old validators: 304 when unchanged, the new answer otherwise
    for n, (url, (status, tag, modified, _)) in enumerate(sorted(before.items())):
        if status != 200:
            continue
        answer = client.get(url, If_None_Match=tag or "", Accept_Encoding="gzip")
        if url in touched:
            assert answer.status == after[url][0] != 304, url
            assert answer.body == after[url][3], url
        else:
            assert (answer.status, answer.body, answer.header("ETag")) == (304, b"", tag), url
        if url in touched or n % 10 == 0:  # If-Modified-Since alone, on a sample of the rest
            by_date = client.get(url, If_Modified_Since=modified or "")
            assert by_date.status == (after[url][0] if url in touched else 304), url
    return after


def expected_of(portal: SamplePortal, agency: str, year: int) -> list[tuple[str, ...]]:
    return [e.urls for e in portal.expected_reports() if (e.agency, e.year) == (agency, year)]


# -- validators -----------------------------------------------------------------------------

def test_every_stored_200_page_has_validators_and_revalidates(portal: SamplePortal,
                                                              client: Client) -> None:
    trs = portal.sites["trs"]
    for url in (trs + "/", trs + "/zwgk/zfxxgknb/index.html", portal.sites["plain"] + "/news/index.html",
                portal.expected_reports()[0].urls[0]):
        first = client.get(url)
        assert first.status == 200 and first.header("ETag") and first.header("Last-Modified"), url
        again = client.get(url, If_None_Match=first.header("ETag") or "")
        assert (again.status, again.body) == (304, b""), url
        assert again.header("ETag") == first.header("ETag")
        assert client.get(url, If_Modified_Since=first.header("Last-Modified") or "").status == 304
        older = email.utils.formatdate(
            email.utils.parsedate_to_datetime(first.header("Last-Modified") or "").timestamp() - 1,
            usegmt=True)
        assert client.get(url, If_Modified_Since=older).status == 200
        # If-None-Match wins over If-Modified-Since (RFC 9110)
        both = client.get(url, If_None_Match='"other"',
                          If_Modified_Since=first.header("Last-Modified") or "")
        assert both.status == 200 and both.body == first.body
        assert first.header("ETag") == '"' + hashlib.sha1(first.body).hexdigest()[:20] + '"'
    # answers that are not a stored 200 body carry no validators
    for url in (trs + "/zwgk/zcjd/index.html", trs + "/zfxxgk/nb/index.html", trs + "/nothing.html",
                trs + "/calendar/index.html", portal.sites["plain"] + "/bsfw/index.html",
                trs + "/search/index.html"):
        answer = client.get(url)
        assert answer.header("ETag") is None and answer.header("Last-Modified") is None, url
    transient = trs + "/zwgk/zfxxgknb/index_1.html"
    assert fetch_retrying(client, transient).header("ETag") is None


def test_gzip_etag_revalidates(portal: SamplePortal, client: Client) -> None:
    url = portal.sites["hanweb"] + "/col/col1229/index.html"
    zipped = client.get(url, Accept_Encoding="gzip")
    plain = client.get(url)
    assert zipped.header("Content-Encoding") == "gzip" and gzip.decompress(zipped.body) == plain.body
    tag = zipped.header("ETag") or ""
    assert tag == (plain.header("ETag") or "")[:-1] + '-gzip"'
    answer = client.get(url, If_None_Match=tag, Accept_Encoding="gzip")
    assert answer.status == 304 and answer.header("ETag") == tag
    assert answer.header("Vary") == "Accept-Encoding"
    assert client.get(url, If_None_Match=tag).status == 304  # the same entity, other coding
    assert client.get(url, If_None_Match=f"W/{tag}", Accept_Encoding="gzip").status == 304
    assert client.get(url, If_None_Match='"0123-gzip"', Accept_Encoding="gzip").status == 200


def test_request_log_sums_the_bytes_sent(portal: SamplePortal, client: Client) -> None:
    portal.request_log.clear()
    url = portal.sites["hanweb"] + "/col/col1229/index.html"
    sent = [client.get(url, Accept_Encoding="gzip"), client.get(url), client.get(url + "x")]
    tag = sent[0].header("ETag") or ""
    assert client.get(url, If_None_Match=tag, Accept_Encoding="gzip").status == 304
    client.request(url, method="HEAD").body  # noqa: B018 - a HEAD sends no body
    assert portal.request_log.bytes_sent() == sum(len(a.body) for a in sent) > 0
    records = portal.request_log.records()
    assert [(r.status, r.size) for r in records[-2:]] == [(304, 0), (200, 0)]
    assert [s for _, _, s in portal.request_log] == [200, 200, 404, 304, 200]


# -- changes --------------------------------------------------------------------------------

@pytest.mark.parametrize("site", ["trs", "hanweb", "plain", "https"])
def test_add_report(portal: SamplePortal, client: Client, site: str) -> None:
    before = snapshot(client, static_urls(portal))
    lists_before = listed(portal, client)
    newest = max(e.year for e in portal.expected_reports())
    [applied] = portal.apply(AddReport(site=site))
    assert applied.site == site and applied.year == newest + 1 and applied.old_urls == ()
    assert applied.agency in portal.model.site(site).agencies
    page = applied.new_urls[0]
    lists = listed(portal, client)
    assert lists[site][0] == page  # newest first
    assert lists[site][1:] == lists_before[site]
    assert all(lists[s] == lists_before[s] for s in lists if s != site)
    assert expected_of(portal, applied.agency, applied.year) == [applied.new_documents]
    [pdf] = [u for u in applied.new_documents if u.endswith(".pdf")]
    answer = client.get(pdf)
    assert answer.status == 200 and answer.body.startswith(_MAGIC["pdf"])
    assert answer.header("Content-Type") == "application/pdf"
    detail = client.get(page)
    assert detail.status == 200
    assert applied.report.title in detail.body.decode("gbk" if site == "trs" else "utf-8")
    assert urllib.parse.urlsplit(pdf).path.rsplit("/", 1)[1].encode() in detail.body
    modified = email.utils.parsedate_to_datetime(answer.header("Last-Modified") or "").timestamp()
    assert modified == applied.at
    check_rest_untouched(portal, client, before, applied)
    if site == "plain":
        assert page in sitemap(portal, client)


def test_added_report_parses_to_its_numbers(portal: SamplePortal, client: Client) -> None:
    [applied] = portal.apply(AddReport())
    assert (applied.site, applied.agency) == ("trs", portal.model.site("trs").agencies[0])
    [pdf] = applied.new_documents
    outcome = parse_bytes(client.get(pdf).body, filename="report.pdf", timeout=120)
    assert outcome.status == "ok" and outcome.record is not None
    assert outcome.record["applications"] == applied.report.expected_record()["applications"]
    with pytest.raises(ValueError, match="already has a report"):
        portal.apply(AddReport(year=applied.year, agency=applied.agency))


def test_replace_pdf_changes_bytes_at_the_same_url(portal: SamplePortal, client: Client) -> None:
    before = snapshot(client, static_urls(portal))
    [applied] = portal.apply(ReplacePdf())
    assert applied.old_urls == applied.new_urls and applied.old_documents == applied.new_documents
    [pdf] = applied.new_documents
    assert pdf.endswith(".pdf") and applied.touched_urls == (pdf,)
    assert applied.previous is not None and applied.previous != applied.report
    assert applied.report.applications != applied.previous.applications
    assert failed_checks(applied.report) == failed_checks(applied.previous) == []
    after = check_rest_untouched(portal, client, before, applied)
    assert after[pdf][0] == 200 and after[pdf][3] != before[pdf][3]
    assert after[pdf][1] != before[pdf][1]
    assert after[pdf][3].startswith(_MAGIC["pdf"])
    old_time = email.utils.parsedate_to_datetime(before[pdf][2] or "").timestamp()
    assert email.utils.parsedate_to_datetime(after[pdf][2] or "").timestamp() > old_time
    # the detail page linking it is byte-identical, and so is every list
    assert [u for u in applied.new_urls if u != pdf] and all(
        before[u] == after[u] for u in applied.new_urls if u != pdf)
    [expected] = [e for e in portal.expected_reports()
                  if (e.agency, e.year) == (applied.agency, applied.year)]
    assert expected.report == applied.report and expected.urls == applied.new_documents
    outcome = parse_bytes(after[pdf][3], filename="report.pdf", timeout=120)
    assert outcome.status == "ok" and outcome.record is not None
    assert outcome.record["applications"] == applied.report.expected_record()["applications"]
    assert outcome.record["review_litigation"] == applied.report.expected_record()["review_litigation"]
    # a second replacement changes it again
    [again] = portal.apply(ReplacePdf(applied.agency, applied.year))
    assert again.previous == applied.report
    assert client.get(pdf).body not in (before[pdf][3], after[pdf][3])


def test_replace_pdf_refuses_an_inline_report(portal: SamplePortal) -> None:
    inline = next(p for p in portal.model.site("trs").reports if p.form == "inline+pdf")
    with pytest.raises(ValueError, match="PDF replaced"):
        portal.apply(ReplacePdf(inline.report.agency, inline.report.year))


@pytest.mark.parametrize(("site", "status"), [("trs", 404), ("hanweb", 410), ("plain", 404)])
def test_remove_report(portal: SamplePortal, client: Client, site: str, status: int) -> None:
    before = snapshot(client, static_urls(portal))
    lists_before = listed(portal, client)
    [applied] = portal.apply(RemoveReport(site=site, status=status))
    assert applied.new_urls == () and applied.old_urls
    assert not expected_of(portal, applied.agency, applied.year)
    assert all((e.agency, e.year) != (applied.agency, applied.year)
               for e, _ in portal.excluded_reports())
    for url in applied.old_urls:
        assert client.get(url).status == status, url
    lists = listed(portal, client)
    pages = [u for u in applied.old_urls if u in lists_before[site]]
    assert pages and not set(pages) & set(lists[site])
    assert lists[site] == [u for u in lists_before[site] if u not in pages]
    check_rest_untouched(portal, client, before, applied)
    if site == "plain":
        assert not set(applied.old_urls) & sitemap(portal, client)


def test_unlist_report_keeps_serving_it(portal: SamplePortal, client: Client) -> None:
    before = snapshot(client, static_urls(portal))
    lists_before = listed(portal, client)
    in_sitemap = sitemap(portal, client)
    [applied] = portal.apply(UnlistReport(site="plain"))
    assert applied.old_urls == applied.new_urls
    lists = listed(portal, client)
    page = next(u for u in applied.old_urls if u in lists_before["plain"])
    assert page not in lists["plain"] and page in in_sitemap and page not in sitemap(portal, client)
    for url in applied.old_urls:
        assert client.get(url, Accept_Encoding="gzip").body == before[url][3]
    assert not expected_of(portal, applied.agency, applied.year)
    assert [reason for e, reason in portal.excluded_reports()
            if (e.agency, e.year) == (applied.agency, applied.year)] == [UNLISTED]
    check_rest_untouched(portal, client, before, applied)
    # an unlisted report can still be removed, then its URLs are gone
    [removed] = portal.apply(RemoveReport(applied.agency, applied.year))
    assert all(client.get(u).status == 404 for u in removed.old_urls)
    assert all((e.agency, e.year) != (applied.agency, applied.year)
               for e, _ in portal.excluded_reports())


@pytest.mark.parametrize("site", ["trs", "hanweb", "https"])
def test_repost_report_moves_it(portal: SamplePortal, client: Client, site: str) -> None:
    placed = portal.model.site(site).reports
    target = next((p for p in placed if p.form == "docx-two-columns"), placed[0]).report
    before = snapshot(client, static_urls(portal))
    lists_before = listed(portal, client)
    [applied] = portal.apply(RepostReport(target.agency, target.year, site=site))
    assert not set(applied.old_urls) & set(applied.new_urls)
    assert len(applied.old_urls) == len(applied.new_urls)
    for url in applied.old_urls:
        assert client.get(url).status == 404, url
    for old, new in zip(applied.old_documents, applied.new_documents, strict=True):
        assert client.get(new, Accept_Encoding="gzip").body == before[old][3]  # the same bytes
        assert client.get(new).header("Content-Encoding") is None
    lists = listed(portal, client)
    old_pages = [u for u in applied.old_urls if u in lists_before[site]]
    new_pages = [u for u in applied.new_urls if u in lists[site]]
    assert old_pages and len(new_pages) == len(old_pages)
    assert not set(old_pages) & set(lists[site])
    assert sorted(lists[site]) == sorted([u for u in lists_before[site] if u not in old_pages]
                                         + new_pages)
    assert expected_of(portal, applied.agency, applied.year) == [applied.new_documents]
    check_rest_untouched(portal, client, before, applied)


def test_changes_accumulate_and_an_unchanged_portal_stays_unchanged(portal: SamplePortal,
                                                                   client: Client) -> None:
    start = snapshot(client, static_urls(portal))
    assert portal.apply() == []
    assert snapshot(client, static_urls(portal)) == start
    first = portal.apply(AddReport(site="plain"))
    second = portal.apply(RepostReport(site="plain"), ReplacePdf(site="plain"))
    assert portal.applied == first + second
    assert [type(a.change) for a in portal.applied] == [AddReport, RepostReport, ReplacePdf]
    assert second[0].at < second[1].at and first[0].at < second[0].at
    lists = listed(portal, client)["plain"]
    assert first[0].new_urls[0] in lists and second[0].new_urls[0] in lists
    assert not set(second[0].old_urls) & set(lists)
    assert client.get(second[1].new_documents[0]).body == \
        client.get(second[1].new_documents[0], Accept_Encoding="gzip").body
    expected = {(e.agency, e.year): e.urls for e in portal.expected_reports()}
    assert expected[(first[0].agency, first[0].year)] == first[0].new_documents
    assert expected[(second[0].agency, second[0].year)] == second[0].new_documents
    # a change that fits nothing leaves the portal as it was, even after a valid one
    now = snapshot(client, static_urls(portal))
    with pytest.raises(ValueError, match="no report"):
        portal.apply(AddReport(site="trs"), RemoveReport(agency="无此机关"))
    assert snapshot(client, static_urls(portal)) == now and len(portal.applied) == 3
    with pytest.raises(ValueError, match="404 or 410"):
        RemoveReport(status=500)


def test_same_changes_same_urls() -> None:
    def paths(portal: SamplePortal) -> list[tuple[str, ...]]:
        applied = portal.apply(AddReport(), RepostReport(site="hanweb"), ReplacePdf())
        return [tuple(u.split("/", 3)[3] for u in a.new_urls) for a in applied]  # without the origin

    with SamplePortal(seed=7) as one:
        first = paths(one)
    with SamplePortal(seed=7) as two:
        assert paths(two) == first


def test_apply_while_requests_are_in_flight(portal: SamplePortal, client: Client) -> None:
    url = portal.sites["plain"] + "/xxgk/ndbg/index.html"
    versions = {client.get(url).body}
    answers: list[Answer] = []
    stop = threading.Event()

    def hammer() -> None:
        own = Client(portal)
        try:
            while not stop.is_set():
                answers.append(own.get(url))
        finally:
            own.close()

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            portal.apply(AddReport(site="plain"))
            versions.add(client.get(url).body)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert len(versions) == 4 and answers
    for answer in answers:
        assert answer.status == 200 and answer.body in versions
        assert answer.header("ETag") == '"' + hashlib.sha1(answer.body).hexdigest()[:20] + '"'
