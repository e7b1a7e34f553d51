"""The sample portal: real HTTP(S) servers on 127.0.0.1 with the shapes of real government sites."""

from __future__ import annotations

import gzip
import http.client
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from click.testing import CliRunner
from protego import Protego

from crawler.cli.sample_portal import sample_portal_command
from crawler.testbed.reportgen.doc import soffice_path
from crawler.testbed.sample_portal import BENCHMARK_SCALE, SamplePortal, build_portal

SLOW = 0.5


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
          redirect: bool = True, context: ssl.SSLContext | None = None) -> tuple[int, Message, bytes]:
    """(status, headers, body) of one request; HTTP errors are answers, not exceptions."""
    headers = dict(headers or {})
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", None):  # a virtual host of the portal: by name
        headers["Host"] = parts.netloc
        url = parts._replace(netloc=f"127.0.0.1:{parts.port}").geturl()
    request = urllib.request.Request(url, data=data, headers=headers)
    handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPSHandler(context=context)]
    if not redirect:
        handlers.append(_NoRedirect())
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture(scope="module")
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(seed=7, slow_seconds=SLOW) as running:
        yield running


def trusting(portal: SamplePortal) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(portal.certificate_path))


def test_sites_listen_on_their_own_ports(portal: SamplePortal) -> None:
    sites = portal.sites
    assert set(sites) == {"trs", "hanweb", "plain", "https", "paged", "jsoncms", "subdomain"}
    ports = {urllib.parse.urlsplit(url).port for url in sites.values()}
    assert len(ports) == 7
    assert sites["https"].startswith("https://127.0.0.1:")
    assert sites["subdomain"].startswith("http://www.pingchuan-sample.gov.cn:")  # served by name
    assert portal.seed_urls == [url + "/" for url in sites.values()]


def test_base_port_numbers_sites_in_order() -> None:
    for base in range(21000, 31000, 997):  # below the ephemeral range, so usually free
        try:
            running = SamplePortal(base_port=base).start()
        except OSError:
            continue
        with running:
            ports = [urllib.parse.urlsplit(url).port for url in running.sites.values()]
        assert ports == [base + i for i in range(len(ports))] and len(ports) == 7
        return
    pytest.skip("no five consecutive free ports found")


def test_trs_column_is_gbk_and_paged_only_by_create_page_html(portal: SamplePortal) -> None:
    status, headers, body = fetch(portal.sites["trs"] + "/zwgk/zfxxgknb/index.html")
    assert status == 200
    assert "charset=gbk" in headers["Content-Type"].lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert "政府信息公开年报" in text
    match = re.search(r'createPageHTML\((\d+), 0, "index", "html"\)', text)
    assert match and int(match.group(1)) >= 2
    assert "index_1.html" not in text
    assert re.search(r'href="\./\d{6}/t\d{8}_\d{7}\.html"', text)


def test_trs_detail_pages_carry_meta_and_p0_attachments(portal: SamplePortal) -> None:
    base = portal.sites["trs"]
    pdfs = [u for e in portal.expected_reports() for u in e.urls
            if u.startswith(base) and u.endswith(".pdf")]
    assert pdfs
    assert all(re.search(r"/zwgk/zfxxgknb/\d{6}/P0\d{20}\.pdf$", u) for u in pdfs)
    inline = [e for e in portal.expected_reports() if e.urls[0].startswith(base)
              and e.urls[0].endswith(".html")]
    _, headers, body = fetch(inline[0].urls[0])
    text = body.decode("gbk")
    assert f'<meta name="ArticleTitle" content="{inline[0].title}">' in text
    assert '<meta name="PubDate"' in text
    assert "rowspan=" in text and "&nbsp;" in text


def test_trs_charset_declarations_vary(portal: SamplePortal) -> None:
    site = portal.model.site("trs")
    bare = [p for p, r in site.resources.items()
            if r.header("Content-Type") == "text/html" and r.status == 200]
    undeclared = [p for p in bare if b"charset" not in site.resources[p].body]
    assert bare and undeclared
    _, headers, body = fetch(portal.sites["trs"] + undeclared[0])
    assert headers["Content-Type"] == "text/html"
    assert b"charset" not in body.lower()
    body.decode("gbk")
    expected = {u for e in portal.expected_reports() for u in e.urls}
    assert any(portal.sites["trs"] + p in expected for p in undeclared)


def test_wrong_encoding_page_is_not_a_report(portal: SamplePortal) -> None:
    site = portal.model.site("trs")
    wrong = []
    for path, res in site.resources.items():
        if res.header("Content-Type") == "text/html; charset=utf-8" and res.status == 200:
            try:
                res.body.decode("utf-8")
            except UnicodeDecodeError:
                wrong.append(path)
    assert len(wrong) == 1
    status, headers, body = fetch(portal.sites["trs"] + wrong[0])
    assert status == 200 and "utf-8" in headers["Content-Type"]
    assert "工作" in body.decode("gbk")
    expected = {u for e in portal.expected_reports() for u in e.urls}
    assert portal.sites["trs"] + wrong[0] not in expected


def _jpage_form(html: str) -> dict[str, str]:
    script = re.search(r"var jpageParam = \{(.*?)\};", html)
    assert script
    pairs = re.findall(r"(\w+):'?([^',]*)'?", script.group(1))
    return dict(pairs)


def test_hanweb_list_comes_only_from_the_jpage_post(portal: SamplePortal) -> None:
    base = portal.sites["hanweb"]
    status, _, body = fetch(base + "/col/col1229/index.html")
    page = body.decode("utf-8")
    assert status == 200 and "/art/" not in page and "dataproxy.jsp" in page
    form = _jpage_form(page)
    assert {"col", "appid", "webid", "columnid", "unitid", "permissiontype"} <= set(form)
    total = int(re.search(r"totalRecord:(\d+)", page).group(1))  # type: ignore[union-attr]
    assert total > 45
    data = urllib.parse.urlencode(form).encode()
    proxy = base + "/module/web/jpage/dataproxy.jsp"
    status, headers, first = fetch(f"{proxy}?startrecord=1&endrecord=45&perpage=15", data=data)
    assert status == 200 and "xml" in headers["Content-Type"]
    records = re.findall(rb"<record><!\[CDATA\[(.*?)\]\]></record>", first)
    assert len(records) == 45
    assert re.match(rb'<li><a href="/art/\d{4}/\d{1,2}/\d{1,2}/art_1229_\d+\.html" title="', records[0])
    assert re.search(rb"<nextgroup><!\[CDATA\[<a href=", first)
    _, _, second = fetch(f"{proxy}?startrecord=46&endrecord=90&perpage=15", data=data)
    rest = re.findall(rb"<record><!\[CDATA\[(.*?)\]\]></record>", second)
    assert len(rest) == total - 45
    assert b"<nextgroup><![CDATA[]]></nextgroup>" in second
    assert fetch(f"{proxy}?startrecord=1&endrecord=45&perpage=15")[0] == 405


def test_every_hanweb_report_is_reachable_through_jpage(portal: SamplePortal) -> None:
    base = portal.sites["hanweb"]
    form = urllib.parse.urlencode({"columnid": "1229", "col": "1", "webid": "2"}).encode()
    proxy = base + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=200&perpage=15"
    listed = set(re.findall(r'href="(/art/[^"]+)"', fetch(proxy, data=form)[2].decode()))
    site = portal.model.site("hanweb")
    for placed in site.reports:
        details = [p for p in listed if placed.report.title.encode("utf-8") in site.resources[p].body]
        assert details, placed.report.title
    doubles = [p for p in site.reports if p.form == "docx-two-columns"]
    assert len(doubles) == 1 and len(doubles[0].paths) == 2
    bodies = {fetch(base + path)[2] for path in doubles[0].paths}
    assert len(bodies) == 1


def test_hanweb_attachments_redirect_to_docx_and_doc(portal: SamplePortal) -> None:
    site = portal.model.site("hanweb")
    links = [p for p in site.resources if p.startswith("/module/download/downfile.jsp?")]
    assert links
    status, headers, _ = fetch(portal.sites["hanweb"] + links[0], redirect=False)
    assert status == 302 and headers["Location"].startswith("/attach/0/")
    kinds = {u.rsplit(".", 1)[1] for e in portal.expected_reports() for u in e.urls
             if u.startswith(portal.sites["hanweb"])}
    assert {"docx", "html"} <= kinds
    if soffice_path() is not None:  # without LibreOffice the DOC slots are served as DOCX
        assert "doc" in kinds
    both = [p for p in site.reports if p.form == "docx+doc"]
    assert len(both) == 1 and len(both[0].paths) == 2


def test_plain_site_has_a_sitemap_named_in_robots(portal: SamplePortal) -> None:
    base = portal.sites["plain"]
    robots = fetch(base + "/robots.txt")[2].decode()
    assert f"Sitemap: {base}/sitemap.xml" in robots
    status, headers, body = fetch(base + "/sitemap.xml")
    assert status == 200 and "xml" in headers["Content-Type"]
    locs = set(re.findall(r"<loc>([^<]+)</loc>", body.decode()))
    assert len(locs) > 100 and all(loc.startswith(base + "/") for loc in locs)
    inline = [u for e in portal.expected_reports() for u in e.urls
              if u.startswith(base) and u.endswith(".html")]
    assert inline and set(inline) <= locs


def test_robots_disallows_a_path_holding_a_report(portal: SamplePortal) -> None:
    base = portal.sites["trs"]
    status, _, body = fetch(base + "/robots.txt")
    assert status == 200
    robots = Protego.parse(body.decode())
    excluded = [e for e, reason in portal.excluded_reports() if "robots" in reason]
    assert len(excluded) == 1
    blocked = excluded[0].urls[0]
    assert not robots.can_fetch(blocked, "govreports")
    assert fetch(blocked)[0] == 200  # served, just not to polite crawlers
    assert all(robots.can_fetch(u, "govreports") for e in portal.expected_reports() for u in e.urls
               if u.startswith(base))
    expected = {(e.agency, e.year) for e in portal.expected_reports()}
    assert (excluded[0].agency, excluded[0].year) not in expected
    _, _, zwgk = fetch(base + "/zwgk/index.html")
    assert b'href="/nbbak/index.html"' in zwgk


def test_transient_500_fails_twice_then_succeeds() -> None:
    with SamplePortal(seed=7) as fresh:
        url = fresh.sites["trs"] + "/zwgk/zfxxgknb/index_1.html"
        assert [fetch(url)[0] for _ in range(4)] == [500, 500, 200, 200]
        assert "createPageHTML" in fetch(url)[2].decode("gbk")
        logged = [s for m, u, s in fresh.request_log if u == url]
        assert logged == [500, 500, 200, 200, 200]


def test_errors_redirects_and_loop(portal: SamplePortal) -> None:
    base = portal.sites["trs"]
    assert fetch(base + "/xwzx/old/index.html")[0] == 404
    assert [fetch(base + "/zwgk/zcjd/index.html")[0] for _ in range(3)] == [500, 500, 500]
    status, headers, _ = fetch(base + "/zfxxgk/nb/index.html", redirect=False)
    assert status == 301 and headers["Location"] == "/zwgk/zfxxgknb/index.html"
    status, headers, _ = fetch(base + "/loop/a.html", redirect=False)
    assert status == 302 and headers["Location"] == "/loop/b.html"
    status, headers, _ = fetch(base + "/loop/b.html", redirect=False)
    assert status == 302 and headers["Location"] == "/loop/a.html"
    with pytest.raises(urllib.error.HTTPError, match="redirect"):
        urllib.request.urlopen(base + "/loop/a.html", timeout=10)


def test_challenge_pages(portal: SamplePortal) -> None:
    base = portal.sites["trs"]
    status, _, body = fetch(base + "/search/index.html")
    assert status == 412 and b"__jsl_clearance" in body
    status, _, body = fetch(base + "/hdjl/index.html")
    assert status == 521 and b"<script" in body and b"document.cookie" in body


def test_slow_page_waits(portal: SamplePortal) -> None:
    start = time.monotonic()
    assert fetch(portal.sites["trs"] + "/ldxx/index.html")[0] == 200
    assert time.monotonic() - start >= SLOW


def test_calendar_links_forever(portal: SamplePortal) -> None:
    url = portal.sites["trs"] + "/calendar/index.html"
    seen = set()
    for _ in range(30):
        body = fetch(url)[2].decode()
        nxt = re.search(r'href="([^"]+)">下个月', body)
        assert nxt
        url = urllib.parse.urljoin(url, nxt.group(1).replace("&amp;", "&"))
        seen.add(url)
    assert len(seen) == 30


@pytest.mark.parametrize(("site", "marker"), [("hanweb", ";jsessionid="), ("plain", "?sid=")])
def test_session_ids_change_per_view(portal: SamplePortal, site: str, marker: str) -> None:
    url = portal.sites[site] + "/bsfw/index.html"
    pattern = re.escape(marker) + r"([0-9A-F]{32})"
    first = re.findall(pattern, fetch(url)[2].decode())
    second = re.findall(pattern, fetch(url)[2].decode())
    assert first and second and first[0] != second[0]
    with_sid = portal.sites[site] + f"/bsfw/item_1.html{marker}{first[0]}"
    assert fetch(with_sid)[0] == 200


def test_gzip_only_when_asked(portal: SamplePortal) -> None:
    url = portal.sites["hanweb"] + "/col/col1229/index.html"
    _, plain_headers, plain = fetch(url)
    assert plain_headers["Content-Encoding"] is None
    _, headers, body = fetch(url, headers={"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == plain


def test_conditional_get_answers_304(portal: SamplePortal) -> None:
    url = next(u for e in portal.expected_reports() for u in e.urls if u.endswith(".pdf"))
    status, headers, body = fetch(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    status, _, body = fetch(url, headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""
    assert fetch(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, headers={"If-None-Match": '"other"'})[0] == 200


def test_large_attachment_announces_its_size(portal: SamplePortal) -> None:
    parts = urllib.parse.urlsplit(portal.sites["trs"])
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    conn.request("GET", "/uploads/tjnj2023.zip")
    response = conn.getresponse()
    assert response.status == 200
    assert int(response.getheader("Content-Length") or 0) >= 60 * 1024 * 1024
    assert response.read(1 << 16).startswith(b"PK")
    conn.close()


def test_https_site_needs_its_certificate(portal: SamplePortal) -> None:
    url = portal.sites["https"] + "/"
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(url, context=ssl.create_default_context())
    assert fetch(url, context=trusting(portal))[0] == 200
    https_reports = [e for e in portal.expected_reports() if e.urls[0].startswith("https://")]
    assert len(https_reports) == 1


def test_several_portals_certificates_trusted_together(portal: SamplePortal, tmp_path: Path) -> None:
    # benchmarks/scale.py crawls several portals with one --ca-file holding all their
    # certificates; with one shared subject name only the first portal's site verified
    with SamplePortal(seed=8, slow_seconds=SLOW) as other:
        both = tmp_path / "ca.pem"
        both.write_text(other.certificate_path.read_text() + portal.certificate_path.read_text())
        context = ssl.create_default_context(cafile=str(both))
        for running in (portal, other):
            assert fetch(running.sites["https"] + "/", context=context)[0] == 200


def test_every_expected_url_serves_the_report(portal: SamplePortal) -> None:
    expected = portal.expected_reports()
    assert len({(e.agency, e.year) for e in expected}) == len(expected) >= 12
    assert {e.template for e in expected} == {"pre2019", "2019", "2021"}
    assert all(e.template == ("pre2019" if e.year < 2019 else "2019" if e.year <= 2020 else "2021")
               for e in expected)
    magic = {"pdf": b"%PDF", "docx": b"PK\x03\x04", "doc": b"\xd0\xcf\x11\xe0"}
    kinds = set()
    for report in expected:
        assert report.urls and report.report.title == report.title
        for url in report.urls:
            status, headers, body = fetch(url, context=trusting(portal))
            assert status == 200, url
            ext = url.rsplit(".", 1)[1].split("?")[0]
            ext = "html" if ext == "jsp" else ext  # detail.jsp?id=…
            kinds.add(ext)
            if ext == "html":
                charset = "gbk" if url.startswith(portal.sites["trs"]) else "utf-8"
                text = body.decode(charset)
                agencyless = f"{report.year}年度政府信息公开工作年度报告"  # the agency is elsewhere
                assert (report.title in text or agencyless in text) and "<table" in text
                assert "行政复议" in text
            else:
                assert body.startswith(magic[ext]), url
                assert headers["Content-Type"] != "text/html"
    assert {"html", "pdf", "docx"} <= kinds


def test_notices_about_reports_are_served_but_not_expected(portal: SamplePortal) -> None:
    expected = {u for e in portal.expected_reports() for u in e.urls}
    notices = [(name, p) for name, base in portal.sites.items()
               for p, r in portal.model.site(name).resources.items()
               if b"\xe7\xbc\x96\xe5\x88\xb6\xe5\xb7\xa5\xe4\xbd\x9c\xe7\x9a\x84\xe9\x80\x9a\xe7\x9f\xa5"
               in r.body or "编制工作的通知".encode("gbk") in r.body]
    assert notices
    assert not {portal.sites[name] + p for name, p in notices} & expected


def test_same_seed_same_portal_other_seed_other_portal() -> None:
    def digest(seed: int) -> dict[str, bytes]:
        model = build_portal(seed)
        return {f"{s.name}{p}": r.body for s in model.sites for p, r in s.resources.items()
                if not p.endswith(".doc")}

    first = digest(7)  # seeds 7 and 0 are built by other tests too: DOCs are converted once
    assert first == digest(7)
    assert first != digest(0)


def test_benchmark_scale_has_20000_reachable_pages() -> None:
    model = build_portal(0, BENCHMARK_SCALE)
    href = re.compile(rb'(?:href|src)="([^"#]+)"')
    reachable = 0
    for site in model.sites:
        seen = {"/"}
        queue = ["/"]
        while queue:
            path = queue.pop()
            res = site.resources.get(path)
            if res is None or res.status != 200:
                continue
            reachable += 1
            for raw in href.findall(res.body):
                link = urllib.parse.urljoin(path, raw.decode("ascii", "replace").replace("&amp;", "&"))
                if link.startswith("/") and link not in seen:
                    seen.add(link)
                    queue.append(link)
    assert model.page_count() >= 20_000
    assert reachable >= 20_000


def test_cli_prints_seed_urls_then_serves_until_interrupted() -> None:
    result = CliRunner().invoke(sample_portal_command, ["--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--scale" in result.output
    process = subprocess.Popen([sys.executable, "-m", "crawler.testbed.sample_portal", "--seed", "7"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        seeds = [process.stdout.readline().strip() for _ in range(4)]
        assert all(re.fullmatch(r"https?://127\.0\.0\.1:\d+/", url) for url in seeds), seeds
        assert fetch(seeds[0])[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
