"""Anti-bot challenge pages versus ordinary content."""

from __future__ import annotations

from crawler.fetch.challenge import challenge_reason

NORMAL = "<html><head><title>XX县人民政府</title></head><body><p>政府信息公开工作年度报告</p></body></html>"


def test_challenge_statuses() -> None:
    assert challenge_reason(412, b"") is not None
    assert challenge_reason(521, b"<script>document.cookie='x'</script>") is not None


def test_waf_html_with_ok_status() -> None:
    jsl = b"<script>document.cookie=('__jsl_clearance_s=1637654400|0|abc');location.href=location.pathname</script>"
    assert challenge_reason(200, jsl) is not None
    assert challenge_reason(200, "<title>安全验证</title>".encode()) is not None
    assert challenge_reason(200, "<title>安全验证</title>".encode("gbk")) is not None


def test_normal_pages_are_not_challenges() -> None:
    assert challenge_reason(200, NORMAL.encode()) is None
    assert challenge_reason(404, NORMAL.encode("gbk")) is None


def test_markers_in_any_case_and_the_cookie_reload_script() -> None:
    for body in (b"<script src='/WAF.JS'></script>", b"Please Enable JavaScript to view",
                 b"<div id='CF-CHL-widget'>", b"<p>Verify You Are Human</p>",
                 b"<script>DOCUMENT.COOKIE = 'k=v';\nwindow.LOCATION.Reload()</script>"):
        assert challenge_reason(200, body) is not None, body
    assert challenge_reason(200, b"<script>document.cookie = 'k=v';</script>" + NORMAL.encode()) is None
    far = b"<script>document.cookie='k=v';" + b" " * 300 + b"location.reload()</script>"
    assert challenge_reason(200, far) is None  # the reload is not within 200 bytes
    assert challenge_reason(200, b"waf.js" + b" " * 20_000) is None  # long pages are content
