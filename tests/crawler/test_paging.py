"""List paging in the shapes real government portals use (fixtures: tests/fixtures/paging/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.discovery.pages import Page
from crawler.discovery.paging import PageSeries, find_paging

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "paging"


def series(name: str, url: str) -> PageSeries | None:
    return find_paging(Page(url, (FIXTURES / name).read_text(encoding="utf-8")))


#: fixture, page URL, what told us, stated page count, the pages to ask for next
CASES = [
    ("trs_literal.html", "http://x.gov.cn/zwgk/nb/index.html", "createPageHTML", 7,
     [f"http://x.gov.cn/zwgk/nb/index_{i}.html" for i in range(1, 7)]),
    ("trs_variable_shtml.html", "http://x.gov.cn/col/nb/index.shtml", "createPageHTML", 4,
     [f"http://x.gov.cn/col/nb/index_{i}.shtml" for i in range(1, 4)]),
    ("trs_page_div.html", "http://x.gov.cn/xxgk/nb/", "createPageHTML", 12,
     [f"http://x.gov.cn/xxgk/nb/index_{i}.html" for i in range(1, 12)]),
    ("trs_two_args_htm.html", "http://x.gov.cn/gk/nb/index_1.htm", "createPageHTML", 3,
     ["http://x.gov.cn/gk/nb/index.htm", "http://x.gov.cn/gk/nb/index_2.htm"]),
    ("static_pager_index0.html", "http://x.gov.cn/zwgk/tzgg/index.html", "links", 5,
     [f"http://x.gov.cn/zwgk/tzgg/index_{i}.html" for i in range(1, 5)]),
    ("index_from_one.html", "http://sz.gov.cn/xxgk/nb/index.html", "links", 9,
     [f"http://sz.gov.cn/xxgk/nb/index_{i}.html" for i in range(2, 10)]),
    ("query_page.html", "http://x.gov.cn/xxgk/list.jsp?cid=45", "links", 12,
     [f"http://x.gov.cn/xxgk/list.jsp?cid=45&page={i}" for i in range(2, 13)]),
    ("query_pageno_text.html", "http://x.gov.cn/xxgk/infoList.do?channelId=12", "links", 8,
     [f"http://x.gov.cn/xxgk/infoList.do?channelId=12&pageNo={i}" for i in range(2, 9)]),
    ("query_currentpage_yeci.html", "http://x.gov.cn/gk/list.asp?classid=7", "links", 6,
     [f"http://x.gov.cn/gk/list.asp?classid=7&currentPage={i}" for i in range(2, 7)]),
    ("query_pageindex_numbers.html", "http://x.gov.cn/gk/List.aspx?ClassID=3", "links", None,
     ["http://x.gov.cn/gk/List.aspx?ClassID=3&pageIndex=2"]),
    ("cur_page_ilist.html", "http://www.mz.gov.cn/info/iList.jsp?node_id=GKmzs&cat_id=15971&cur_page=1",
     "links", 15,
     [f"http://www.mz.gov.cn/info/iList.jsp?node_id=GKmzs&cat_id=15971&cur_page={i}" for i in range(2, 16)]),
    ("column_index.html", "http://www.cd.gov.cn/cdsrmzf/c147279/column-index-1.shtml", "links", 23,
     [f"http://www.cd.gov.cn/cdsrmzf/c147279/column-index-{i}.shtml" for i in range(2, 24)]),
    ("kkpager.html", "http://x.gov.cn/nb/list.html", "kkpager", 6,
     [f"http://x.gov.cn/nb/list_{i}.html" for i in range(2, 7)]),
    ("laypage.html", "http://x.gov.cn/xxgk/nb/", "script-url", 7,
     [f"http://x.gov.cn/xxgk/nb/?pn={i}" for i in range(2, 8)]),
    ("asp_pageno_shangye.html", "http://x.gov.cn/news/list.asp?sort=4&PageNo=1", "links", 9,
     [f"http://x.gov.cn/news/list.asp?sort=4&PageNo={i}" for i in range(2, 10)]),
    ("number_file.html", "http://x.gov.cn/zfxxgk/nb/2.html", "links", 5,
     ["http://x.gov.cn/zfxxgk/nb/1.html", "http://x.gov.cn/zfxxgk/nb/3.html",
      "http://x.gov.cn/zfxxgk/nb/4.html", "http://x.gov.cn/zfxxgk/nb/5.html"]),
    ("text_only_index.html", "http://x.gov.cn/zwgk/nb/index.html", "text", 3,
     ["http://x.gov.cn/zwgk/nb/index_1.html", "http://x.gov.cn/zwgk/nb/index_2.html"]),
    ("pagination_p_param.html", "http://x.gov.cn/xxgk/nb/?p=2", "links", None,
     ["http://x.gov.cn/xxgk/nb/?p=3"]),
]


@pytest.mark.parametrize(("name", "url", "source", "count", "expected"), CASES, ids=[c[0] for c in CASES])
def test_paging_shape(name: str, url: str, source: str, count: int | None, expected: list[str]) -> None:
    found = series(name, url)
    assert found is not None
    assert (found.source, found.count) == (source, count)
    assert found.next_urls() == expected


def test_at_least_fifteen_distinct_shapes() -> None:
    assert len({name for name, *_ in CASES}) >= 15
    assert {path.name for path in FIXTURES.glob("*.html")} >= {name for name, *_ in CASES}


def test_a_detail_page_is_not_a_list() -> None:
    assert series("no_paging_detail.html", "http://x.gov.cn/zwgk/nb/t20240131_1.html") is None


def test_a_later_page_knows_where_it_is() -> None:
    html = (FIXTURES / "trs_variable_shtml.html").read_text(encoding="utf-8")
    html = html.replace("var currentPage = 0", "var currentPage = 2")
    found = find_paging(Page("http://x.gov.cn/col/nb/index_2.shtml", html))
    assert found is not None and found.current == 3
    assert found.url(1) == "http://x.gov.cn/col/nb/index.shtml"
    assert found.url(4) == "http://x.gov.cn/col/nb/index_3.shtml"


def test_unresolved_count_pages_one_at_a_time() -> None:
    html = '<script>createPageHTML(pageTotal(), 0, "index", "shtml");</script>'
    found = find_paging(Page("http://x.gov.cn/a/index.shtml", html))
    assert found is not None and found.count is None
    assert found.next_urls() == ["http://x.gov.cn/a/index_1.shtml"]


def test_counted_pages_are_named_a_window_at_a_time() -> None:
    html = '<script>createPageHTML(90000, 0, "index", "html");</script>'
    found = find_paging(Page("http://x.gov.cn/a/", html))
    assert found is not None and found.count == 90000
    assert found.next_urls(20) == [f"http://x.gov.cn/a/index_{n}.html" for n in range(1, 20)]
    assert found.window_end_url(20) == "http://x.gov.cn/a/index_19.html"  # page 20


def test_a_windows_last_page_names_the_next_window() -> None:
    def series(current: int, count: int) -> PageSeries:
        html = f'<script>createPageHTML({count}, {current - 1}, "index", "html");</script>'
        name = "index.html" if current == 1 else f"index_{current - 1}.html"
        found = find_paging(Page(f"http://x.gov.cn/a/{name}", html))
        assert found is not None and found.current == current and found.count == count
        return found

    def pages(urls: list[str]) -> list[int]:
        return [1 if u.endswith("/index.html") else int(u.rsplit("_", 1)[1].split(".")[0]) + 1
                for u in urls]

    middle = series(7, 1250)
    assert pages(middle.next_urls(20)) == [n for n in range(1, 21) if n != 7]
    assert middle.window_end_url(20) == middle.url(20)
    end = series(20, 1250)
    assert pages(end.next_urls(20)) == [n for n in range(1, 41) if n != 20]
    assert end.window_end_url(20) == end.url(40)
    later = series(45, 50)  # reached through a link (尾页, a numbered link)
    assert pages(later.next_urls(20)) == [n for n in range(41, 51) if n != 45]
    assert later.window_end_url(20) is None
    last = series(60, 60)
    assert pages(last.next_urls(20)) == list(range(41, 60)) and last.window_end_url(20) is None


def test_gbk_escapes_in_the_query_stay_intact() -> None:
    html = '<a href="s.jsp?keyword=%C4%EA%B1%A8&amp;page=2">下一页</a> 共3页'
    found = find_paging(Page("http://x.gov.cn/s.jsp?keyword=%C4%EA%B1%A8", html))
    assert found is not None
    assert found.next_urls() == ["http://x.gov.cn/s.jsp?keyword=%C4%EA%B1%A8&page=2",
                                 "http://x.gov.cn/s.jsp?keyword=%C4%EA%B1%A8&page=3"]


def test_a_guessed_series_goes_on_from_whichever_numbering_existed() -> None:
    html = (FIXTURES / "text_only_index.html").read_text(encoding="utf-8")
    found = find_paging(Page("http://x.gov.cn/zwgk/nb/index_2.html", html))
    assert found is not None and found.guessed
    assert found.next_urls() == ["http://x.gov.cn/zwgk/nb/index_3.html"]
    last = find_paging(Page("http://x.gov.cn/zwgk/nb/index_3.html", html))
    assert last is not None and last.next_urls() == []
    assert find_paging(Page("http://x.gov.cn/zwgk/nb/t20230201_55.html", html)) is None


def test_broken_pagers_are_not_a_crash() -> None:
    broken = ("<a href='http://[::1/x'>2</a>",
              "<script>kkpager.init({hrefFormer: 'http://[::1', hrefLatter: '.html', total: 3})</script>",
              "<script>createPageHTML(</script>", "<script>createPageHTML(a, b, c, d, e, f)</script>",
              "第5/3页", "共0页")
    for html in broken:
        found = find_paging(Page("http://x.gov.cn/a/index.html", html))
        assert found is None or all(url.startswith("http://x.gov.cn/") for url in found.next_urls())
    assert Page("http://x.gov.cn/", "<a href='http://[::1/x'>x</a><a href='/ok'>ok</a>").links()[0].url == (
        "http://x.gov.cn/ok")


def test_script_built_file_names_and_page_jump_selects() -> None:
    html = """<div class="page">共4页 <a href="javascript:void(0)" onclick="goPage(2)">下一页</a></div>
      <script>function goPage(n){ window.location.href = 'list_' + n + '.html'; }</script>"""
    found = find_paging(Page("http://x.gov.cn/zwgk/list.html", html))
    assert found is not None and found.source == "script-file"
    assert found.next_urls() == ["http://x.gov.cn/zwgk/list_1.html", "http://x.gov.cn/zwgk/list_2.html"]
    select = """<select onchange="location.href=this.value"><option value="index.html" selected>1</option>
      <option value="index_1.html">2</option><option value="index_2.html">3</option></select>"""
    found = find_paging(Page("http://x.gov.cn/gk/index.html", select))
    assert found is not None and found.source == "links" and found.offset == -1
    assert found.next_urls() == ["http://x.gov.cn/gk/index_1.html"]


def test_image_pager_links_read_their_alt_text() -> None:
    html = '<a href="index_1.shtml"><img src="/img/next.gif" alt="下一页"></a> 共2页'
    found = find_paging(Page("http://x.gov.cn/gk/index.shtml", html))
    assert found is not None and found.count == 2
    assert found.next_urls() == ["http://x.gov.cn/gk/index_1.shtml"]
