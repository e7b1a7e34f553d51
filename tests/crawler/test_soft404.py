"""Soft 404 rules: what a 200 page says, or being the host's answer to a nonsense URL."""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.discovery.analysis import analyze_page
from crawler.fetch.soft404 import NOT_FOUND_PHRASES, PHRASE_MARKERS, PageText, soft_404_reason
from crawler.middlewares.archive import META_CHARSET
from crawler.middlewares.soft404 import (
    META_SOFT_404,
    META_SOFT_404_TEMPLATE,
    SoftNotFoundMiddleware,
    judges_soft_404,
)

CHROME = "<div class='nav'>" + "".join(f"<a href='/c{i}/'>栏目{i}</a>" for i in range(40)) + "</div>"


def _page(title: str, body: str) -> str:
    return f"<html><head><title>{title}</title></head><body>{CHROME}{body}</body></html>"


def test_the_page_says_it_does_not_exist() -> None:
    assert soft_404_reason(_page("页面不存在", "<p>返回首页</p>"), nonsense_fingerprint=None)
    assert soft_404_reason(_page("某某局", "<h1>该信息已删除</h1>"), nonsense_fingerprint=None)
    short = "<html><body><p>对不起，您访问的页面不存在！</p></body></html>"
    assert soft_404_reason(short, nonsense_fingerprint=None)


def test_a_long_page_mentioning_deletion_is_not_one() -> None:
    text = "<p>" + "本年度我局清理并已删除过时信息12条，其余信息均已按要求更新。" * 20 + "</p>"
    assert soft_404_reason(_page("某某局工作动态", text), nonsense_fingerprint=None) is None


def test_a_report_is_never_a_soft_404() -> None:
    report = (Path(__file__).parent.parent / "fixtures" / "identity" / "chrome_full_report.html").read_text("utf-8")
    assert soft_404_reason(report.replace("<title>", "<title>页面不存在 "), nonsense_fingerprint=None) is None


def test_the_same_page_as_the_nonsense_answer() -> None:
    template = _page("提示", "<p>请求的地址 http://x.gov.cn/govreports-no-such-page-1a2b.html 无效</p>")
    fingerprint = PageText.of(template).fingerprint()
    other = _page("提示", "<p>请求的地址 http://x.gov.cn/art/2021/7/9/art_12_345.html 无效</p>")
    assert soft_404_reason(other, nonsense_fingerprint=fingerprint) is not None
    real = _page("提示", "<p>通知：2021年7月9日起办理地点调整</p>")
    assert soft_404_reason(real, nonsense_fingerprint=fingerprint) is None


def test_every_phrase_holds_a_marker() -> None:
    """The prefilter skips pages holding no marker: each phrase must hold one."""
    for phrase in NOT_FOUND_PHRASES:
        assert any(marker in phrase for marker in PHRASE_MARKERS), phrase


def test_phrases_split_by_markup_or_written_as_references_are_still_read() -> None:
    split = _page("某某局", "<h1>页面<span>不</span>存在</h1>")
    assert soft_404_reason(split, nonsense_fingerprint=None)
    referenced = _page("&#39029;&#38754;&#19981;&#23384;&#22312;", "<p>返回首页</p>")  # 页面不存在
    assert soft_404_reason(referenced, nonsense_fingerprint=None)
    assert soft_404_reason(_page("某某局", "<h1>404 Not Found</h1>"), nonsense_fingerprint=None)
    assert soft_404_reason(_page("某某局", "<p>通知：办理地点调整</p>"), nonsense_fingerprint=None) is None


def _answer(url: str, html: str, callback: object) -> tuple[Request, HtmlResponse]:
    request = Request(url, callback=callback, meta={META_CHARSET: "utf-8"})  # type: ignore[arg-type]
    return request, HtmlResponse(url, body=html.encode(), encoding="utf-8", request=request)


def test_a_callback_that_reads_the_page_judges_it_itself_off_the_reactor() -> None:
    """The spider's page reading judges a soft 404 where it parses the page anyway (a worker
    process): the middleware hands it the host's template and does not judge on the reactor."""
    template = _page("提示", "<p>请求的地址 http://x.gov.cn/govreports-no-such-page-1a2b.html 无效</p>")
    fingerprint = PageText.of(template).fingerprint()
    other = _page("提示", "<p>请求的地址 http://x.gov.cn/art/2021/7/9/art_12_345.html 无效</p>")
    middleware = SoftNotFoundMiddleware(get_crawler(), probe=False)
    middleware._templates["x.gov.cn"] = fingerprint  # noqa: SLF001 (what the probe found)

    @judges_soft_404
    def reads_pages(response: object) -> None: ...

    request, response = _answer("http://x.gov.cn/art/2021/7/9/art_12_345.html", other, reads_pages)
    middleware.process_response(request, response)
    assert META_SOFT_404 not in request.meta
    assert request.meta[META_SOFT_404_TEMPLATE] == fingerprint
    judged = analyze_page(request.url, response.body, "utf-8", keep_page=False, soft_404=True,
                          soft_404_template=fingerprint)
    assert judged.soft_404 and not judged.links
    assert analyze_page(request.url, response.body, "utf-8", keep_page=False).soft_404 is None
    real = _page("提示", "<p>通知：2021年7月9日起办理地点调整</p><a href='/a.html'>a</a>").encode()
    assert analyze_page(request.url, real, "utf-8", keep_page=False, soft_404=True,
                        soft_404_template=fingerprint).soft_404 is None

    def plain(response: object) -> None: ...

    request, response = _answer("http://x.gov.cn/art/2021/7/9/art_12_345.html", other, plain)
    middleware.process_response(request, response)  # any other callback: judged here
    assert request.meta[META_SOFT_404]
    assert META_SOFT_404_TEMPLATE not in request.meta
