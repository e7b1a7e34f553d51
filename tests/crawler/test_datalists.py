"""Lists built by JavaScript: the data request found in the scripts, records and paging read
from the answer whatever the key names (shapes of real portals' list APIs)."""

from __future__ import annotations

import json

from crawler.discovery.datalists import (
    DataQuery,
    find_data_queries,
    parse_data_answer,
    request_parts,
)
from crawler.discovery.pages import Page

COLUMN = "http://x.gov.cn/xxgk/nb/index.html"


def queries(script: str, url: str = COLUMN) -> list[DataQuery]:
    return find_data_queries(Page(url, f"<html><body><ul id='list'></ul><script>{script}</script></body></html>"))


def test_jquery_ajax_get_with_data_object_and_nested_answer() -> None:
    (query,) = queries("""
      var channelId = '101';
      function load(pageNo){ $.ajax({ url: '/api/content/list', type: 'GET', dataType: 'json',
        data: {channelId: channelId, pageNo: pageNo, pageSize: 10},
        success: function(res){ render(res.data.list); } }); }
      load(1);""")
    assert (query.url, query.method, query.page_param, query.page_size) == (
        "http://x.gov.cn/api/content/list", "GET", "pageNo", 10)
    assert request_parts(query.for_page(3))[0] == (
        "http://x.gov.cn/api/content/list?channelId=101&pageNo=3&pageSize=10")
    answer = parse_data_answer(json.dumps({"code": 0, "data": {"total": 23, "pageNo": 1, "pageSize": 10, "list": [
        {"docTitle": "2023年度政府信息公开工作年度报告", "docUrl": "/xxgk/nb/202401/t20240131_1.html",
         "pubDate": "2024-01-31 09:00:00"},
        {"docTitle": "关于做好年度报告工作的通知", "docUrl": "/xxgk/tzgg/t20231101_2.html", "pubDate": "2023-11-01"},
    ]}}), query.url)
    assert [r.url for r in answer.records] == ["http://x.gov.cn/xxgk/nb/202401/t20240131_1.html",
                                               "http://x.gov.cn/xxgk/tzgg/t20231101_2.html"]
    assert answer.records[0].published_on is not None and answer.records[0].published_on.year == 2024
    assert answer.total == 23
    assert answer.has_page_after(query) and answer.has_page_after(query.for_page(2))
    assert not answer.has_page_after(query.for_page(3))


def test_getjson_jsonp_with_page_in_the_url_and_total_pages() -> None:
    (query,) = queries("""
      var colId = 55;
      $.getJSON('/interface/getList.jsp?colId=' + colId + '&page=' + pageNum + '&callback=?', function(d){});""")
    assert query.page_param == "page"
    assert request_parts(query.for_page(2))[0] == (
        "http://x.gov.cn/interface/getList.jsp?colId=55&page=2&callback=%3F")
    answer = parse_data_answer(
        'jQuery1830_17({"rows":[{"title":"2022年度政府信息公开工作年度报告","url":"../2023/0130/99.html"}],'
        '"totalPage":3})', query.url)
    assert [r.url for r in answer.records] == ["http://x.gov.cn/2023/0130/99.html"]
    assert answer.total_pages == 3


def test_fetch_post_json_body() -> None:
    (query,) = queries("""
      fetch('/gateway/api/content/list', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({channelId: 'a1b2', pageIndex: 1, pageSize: 15})}).then(r => r.json());""")
    url, method, body, headers = request_parts(query.for_page(2))
    assert (url, method) == ("http://x.gov.cn/gateway/api/content/list", "POST")
    assert json.loads(body or b"") == {"channelId": "a1b2", "pageIndex": "2", "pageSize": "15"}
    assert headers["Content-Type"].startswith("application/json")
    answer = parse_data_answer(json.dumps({"result": {"records": [
        {"name": "2021年度区政府信息公开工作年度报告", "linkUrl": "https://x.gov.cn/a/2022/01/28/1.html",
         "publishDate": "2022-01-28"}], "total": 31}}), url)
    assert answer.records[0].title == "2021年度区政府信息公开工作年度报告"
    assert answer.has_page_after(query.for_page(2)) and not answer.has_page_after(query.for_page(3))


def test_xhr_and_an_xml_answer() -> None:
    (query,) = queries("""var xhr = new XMLHttpRequest(); xhr.open("GET", "/xxgk/nblist.xml", true); xhr.send();""")
    assert query.url == "http://x.gov.cn/xxgk/nblist.xml"
    answer = parse_data_answer(
        "<?xml version='1.0' encoding='utf-8'?><root><totalPage>2</totalPage><items>"
        "<item><title>2020年度政府信息公开工作年度报告</title><link>/xxgk/nb/2020.html</link><date>2021-01-29</date></item>"
        "<item><title>2019年度政府信息公开工作年度报告</title><link>/xxgk/nb/2019.html</link><date>2020-01-20</date></item>"
        "</items></root>", query.url)
    assert [r.url for r in answer.records] == ["http://x.gov.cn/xxgk/nb/2020.html", "http://x.gov.cn/xxgk/nb/2019.html"]
    assert answer.total_pages == 2


def test_post_form_with_id_records_linked_as_the_page_script_does() -> None:
    script = """$.post('/api/articles', {cid: 7, page: 1, rows: 20}, function(res){
        $.each(res.data, function(i, item){
          html += '<li><a href="/article/detail.html?id=' + item.id + '" target="_blank">' + item.title + '</a></li>';
        }); });"""
    (query,) = queries(script)
    url, method, body, _ = request_parts(query)
    assert (url, method, body) == ("http://x.gov.cn/api/articles", "POST", b"cid=7&page=1&rows=20")
    answer = parse_data_answer(json.dumps({"data": [{"id": 901, "title": "2023年政府信息公开工作年度报告",
                                                     "createTime": "2024-01-15"}], "pages": 2}),
                               url, scripts=script)
    assert [r.url for r in answer.records] == ["http://x.gov.cn/article/detail.html?id=901"]


def test_html_snippets_inside_json() -> None:
    answer = parse_data_answer(json.dumps({"list": [
        {"html": "<li><a href='/a/2024/1.html'>2023年度政府信息公开工作年度报告</a><span>2024-01-30</span></li>"}]}),
        "http://x.gov.cn/api")
    assert [(r.url, r.title) for r in answer.records] == [
        ("http://x.gov.cn/a/2024/1.html", "2023年度政府信息公开工作年度报告")]


def test_jsonp_array_answer_like_gov_cn_pushinfo() -> None:
    (query,) = queries("""$.ajax({type: 'GET', url: "https://www.gov.cn/pushinfo/v150203/pushinfo.jsonp",
        dataType: 'jsonp', jsonp: 'pushInfoJsonpCallBack', jsonpCallback: 'pushInfoJsonpCallBack'});""")
    assert query.url == "https://www.gov.cn/pushinfo/v150203/pushinfo.jsonp"
    answer = parse_data_answer('pushInfoJsonpCallBack([{"title":"国务院办公厅2023年政府信息公开工作年度报告",'
                               '"link":"https://www.gov.cn/zhengce/2024-03/29/content_1.htm","pubDate":"2024-03-29"}])',
                               query.url)
    assert len(answer.records) == 1 and answer.total is None
    assert not answer.has_page_after(query)


def test_not_data_requests_and_not_data_answers() -> None:
    assert queries("$.getScript('/js/jquery.min.js'); $.get('/images/a.png');") == []
    assert parse_data_answer("<!DOCTYPE html><html><body>nope</body></html>", COLUMN).records == []
    assert parse_data_answer("{broken", COLUMN).records == []
    assert parse_data_answer(json.dumps({"list": [{"title": "只有标题没有链接的条目"}]}), COLUMN).records == []


def test_counters_and_logins_are_not_lists() -> None:
    assert queries("""$.ajax({url: '/module/visitcount/articlehits.jsp', data: {articleid: 998}});
        $.post('/interface/user/login.do', {name: 'a'}); $.getJSON('/weather/today.json');""") == []
