"""Site search forms in the shapes portals use, and the query URLs built for them."""

from __future__ import annotations

from crawler.discovery.pages import Page
from crawler.discovery.search import SEARCH_TERMS, find_search_form, search_urls

HOME = "http://www.x.gov.cn/index.html"


def form_of(html: str, charset: str = "utf-8"):  # noqa: ANN201 - test helper
    return find_search_form(Page(HOME, f"<html><body>{html}</body></html>"), charset=charset)


def test_trs_was5_form_with_hidden_fields_in_gbk() -> None:
    form = form_of("""<form name="searchform" action="/was5/web/search" method="get" target="_blank">
        <input type="hidden" name="channelid" value="200253"><input type="text" name="searchword" value="">
        <input type="submit" value="搜索"></form>""", charset="gbk")
    assert form is not None and (form.action, form.field) == ("http://www.x.gov.cn/was5/web/search", "searchword")
    urls = search_urls(form)
    assert urls[0] == ("http://www.x.gov.cn/was5/web/search?channelid=200253&searchword="
                       + "".join(f"%{b:02X}" for b in SEARCH_TERMS[0].encode("gbk")))
    assert len(urls) == len(SEARCH_TERMS)


def test_hanweb_jsearch_form_default_method_is_get() -> None:
    form = form_of("""<form action="http://www.x.gov.cn/jsearchfront/search.do" id="searchform">
        <input name="websiteid" type="hidden" value="330000000000000"><input name="q" id="q">
        <input name="pg" type="hidden" value="1"><button type="submit">搜索</button></form>""")
    assert form is not None and form.field == "q"
    assert search_urls(form, ("年度报告",))[0] == (
        "http://www.x.gov.cn/jsearchfront/search.do?websiteid=330000000000000&pg=1&q=%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A")


def test_so_html_keyword_and_search_folder() -> None:
    assert form_of('<form action="/so.html"><input type="search" name="keyword"></form>').field == "keyword"
    form = form_of('<form action="/search/" method="GET"><input name="q" placeholder="请输入关键词"></form>')
    assert form is not None and form.action == "http://www.x.gov.cn/search/"


def test_post_and_login_forms_are_not_the_site_search() -> None:
    assert form_of('<form action="/search.do" method="post"><input name="q"></form>') is None
    assert form_of('<form action="/user/login.do"><input name="username"><input type="password" name="pwd">'
                   "</form>") is None


def test_search_sent_by_script() -> None:
    html = """<input id="kw"><a onclick="go()">搜索</a><script>
      function go(){ var kw = document.getElementById('kw').value;
        window.location.href = "/irs/front/search?code=17da70961a7&dataTypeId=7&searchWord=" + encodeURIComponent(kw); }
    </script>"""
    form = form_of(html)
    assert form is not None and form.field == "searchWord"
    assert search_urls(form, ("年报",))[0] == (
        "http://www.x.gov.cn/irs/front/search?code=17da70961a7&dataTypeId=7&searchWord=%E5%B9%B4%E6%8A%A5")
