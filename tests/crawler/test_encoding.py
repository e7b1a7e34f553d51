"""Decoding fetched pages: header, meta, detection, mismatches and BOMs."""

from __future__ import annotations

import codecs

from crawler.fetch.encoding import decode_page, header_charset, meta_charset, normalize_charset

TEXT = "政府信息公开工作年度报告，本报告统计数据从2021年1月1日起至12月31日止。" * 4
#: 䶮 is outside GB2312 and GBK's common range: only gb18030 decodes it.
RARE = "䶮"


def _page(head: str = "") -> str:
    return (
        f"<html><head>{head}<title>年度报告</title></head><body><p>{TEXT}{RARE}</p></body></html>"
    )


def test_gbk_with_charset_only_in_meta() -> None:
    page = _page("<meta http-equiv='Content-Type' content='text/html; charset=gb2312'>")
    decoded = decode_page(page.encode("gb18030"), "text/html")
    assert (decoded.text, decoded.charset, decoded.source, decoded.problem) == (
        page,
        "gb18030",
        "meta",
        None,
    )


def test_gbk_with_charset_only_in_header() -> None:
    page = _page()
    decoded = decode_page(page.encode("gb18030"), "text/html; charset=GBK")
    assert (decoded.text, decoded.charset, decoded.source) == (page, "gb18030", "header")


def test_gbk_without_any_declaration_is_detected() -> None:
    page = _page().replace(RARE, "")
    decoded = decode_page(page.encode("gbk"), None)
    assert decoded.text == page
    assert decoded.source == "detected"
    assert decoded.charset == "gb18030"


def test_header_says_utf8_but_bytes_are_gbk() -> None:
    page = _page()
    decoded = decode_page(page.encode("gb18030"), "text/html; charset=utf-8")
    assert decoded.text == page
    assert decoded.charset == "gb18030"
    assert decoded.problem is not None and "utf-8" in decoded.problem


def test_utf8_bom_wins_over_declarations() -> None:
    page = _page()
    decoded = decode_page(codecs.BOM_UTF8 + page.encode("utf-8"), "text/html; charset=gbk")
    assert (decoded.text, decoded.charset, decoded.source) == (page, "utf-8", "bom")


def test_unknown_declared_charset_is_reported() -> None:
    page = _page()
    decoded = decode_page(page.encode("utf-8"), "text/html; charset=bogus-42")
    assert decoded.text == page
    assert decoded.problem is not None and "bogus-42" in decoded.problem


def test_charset_helpers() -> None:
    assert header_charset('text/html; charset="UTF-8"') == "UTF-8"
    assert header_charset("text/html") is None
    assert meta_charset(b'<meta charset="gbk">') == "gbk"
    assert meta_charset(b"<p>none</p>") is None
    assert normalize_charset("GB2312") == normalize_charset("x-gbk") == "gb18030"
    assert normalize_charset("UTF8") == "utf-8"
    assert normalize_charset("nonsense") is None
