"""The Hanweb jpage data proxy (TRS and other paging: test_paging.py)."""

from __future__ import annotations

from crawler.discovery.lists import find_jpage, jpage_group_url, parse_jpage_response

PAGE = "http://x.gov.cn/zwgk/zfxxgknb/index.html"

#: A column page as a Hanweb site writes it (params inline in the jpage call).
HANWEB_INLINE = """<div id="div123"></div>
<script type="text/javascript">
$(document).ready(function(){
  $('#div123').jpage({ dataStore: dataStore, proxyUrl:'/module/web/jpage/dataproxy.jsp', perPage:15,
    totalRecord:62, groupSize:3, barPosition:'bottom',
    ajaxParam:{col:1,appid:1,webid:1,path:'/',columnid:123,sourceContentType:1,unitid:456,webname:'X',permissiontype:0}});
});
</script>"""
#: The same as crawler/testbed/sample_portal/hanweb.py writes it: params in a variable, quoted unitid.
HANWEB_VARIABLE = """<script type="text/javascript">
var jpageParam = {col:1,appid:1,webid:7,path:'/',columnid:9001,sourceContentType:1,unitid:'4321',webname:'XX县人民政府',permissiontype:0};
$(document).ready(function(){
  $('#div43219001').jpage({dataUrl:'/module/web/jpage/dataproxy.jsp',perPage:20,totalRecord:80,groupSize:3,ajaxParam:jpageParam});
});
</script>"""


def test_find_jpage_inline_params() -> None:
    query = find_jpage("http://x.gov.cn/col/col123/index.html", HANWEB_INLINE)
    assert query is not None
    assert query.proxy_url == "http://x.gov.cn/module/web/jpage/dataproxy.jsp"
    assert query.fields["columnid"] == "123"
    assert query.fields["unitid"] == "456"
    assert query.fields["webname"] == "X"
    assert query.fields["path"] == "/"
    assert query.per_page == 15
    assert jpage_group_url(query, 46) == (
        "http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    )


def test_find_jpage_params_in_variable() -> None:
    query = find_jpage("http://x.gov.cn/col/col9001/index.html", HANWEB_VARIABLE)
    assert query is not None
    assert (query.fields["columnid"], query.fields["unitid"], query.fields["webid"]) == (
        "9001",
        "4321",
        "7",
    )
    assert query.fields["webname"] == "XX县人民政府"
    assert (query.per_page, query.group_size) == (20, 60)


def test_find_jpage_ignores_longer_names_ending_in_a_field() -> None:
    html = "<script>var cfg = {protocol:'https', imgpath:'/img/'};</script>" + HANWEB_VARIABLE
    query = find_jpage("http://x.gov.cn/col/col9001/index.html", html)
    assert query is not None
    assert (query.fields["col"], query.fields["path"]) == ("1", "/")


def test_find_jpage_absent() -> None:
    assert find_jpage(PAGE, "<script>var x = 1;</script>") is None


def test_parse_jpage_response() -> None:
    body = """<?xml version="1.0" encoding="utf-8"?>
<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2022/1/5/art_123_1.html" title="XX县2021年政府信息公开工作年度报告">XX县2021年…</a><span>2022-01-05</span></li>]]></record>
<record><![CDATA[
<li><a href="/art/2021/1/6/art_123_2.html">XX县2020年政府信息公开工作年度报告</a></li>
]]></record>
</recordset><totalrecord>62</totalrecord><totalpage>5</totalpage></datastore>"""
    group = parse_jpage_response(body)
    assert group.total == 62
    assert len(group.records) == 2
    assert "art_123_1.html" in group.records[0] and "art_123_2.html" in group.records[1]
    assert parse_jpage_response("<datastore></datastore>").records == []
    assert parse_jpage_response("<datastore></datastore>").total is None
