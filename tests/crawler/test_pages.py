"""What a government page says about itself."""

from __future__ import annotations

from datetime import date

from crawler.discovery.pages import Page, parse_date

ARTICLE = """<html><head>
<meta name="SiteName" content="XX县 人民政府">
<meta name="ArticleTitle" content="XX县2021年政府信息公开工作年度报告">
<meta name="PubDate" content="2022-01-05 09:30">
<title>关于XX的通知_XX县人民政府</title>
<base href="http://cdn.x.gov.cn/static/">
</head><body>
<h1>XX县 2021 年政府信息公开 工作年度报告</h1>
<script>var ignored = "脚本";</script>
<p>正文</p>
<a href="report.pdf">附件：年度报告</a>
<a href="/art/2.html" title="上一篇标题"><img src="a.png"></a>
<a href="#top">顶部</a>
<iframe src="frame.html"></iframe>
</body></html>"""


def test_title_candidates_in_order_of_trust() -> None:
    page = Page("http://x.gov.cn/art/1.html", ARTICLE)
    assert page.title_candidates() == [
        "XX县2021年政府信息公开工作年度报告",
        "XX县2021年政府信息公开工作年度报告",
        "关于XX的通知_XX县人民政府",
    ]
    assert page.title() == "XX县2021年政府信息公开工作年度报告"
    report = page.report_title()
    assert report is not None and (report.agency, report.year) == ("XX县", 2021)


def test_published_on() -> None:
    assert Page("http://x.gov.cn/", ARTICLE).published_on() == date(2022, 1, 5)
    assert Page("http://x.gov.cn/", "<html><body>2022-01-05</body></html>").published_on() is None
    assert parse_date("发布时间：2021年12月3日") == date(2021, 12, 3)
    assert parse_date("2021-13-40") is None


def test_links_resolve_against_base_href() -> None:
    page = Page("http://x.gov.cn/art/1.html", ARTICLE)
    assert page.base_url() == "http://cdn.x.gov.cn/static/"
    links = [(link.url, link.text) for link in page.links()]
    assert links == [
        ("http://cdn.x.gov.cn/static/report.pdf", "附件：年度报告"),
        ("http://cdn.x.gov.cn/art/2.html", "上一篇标题"),
        ("http://cdn.x.gov.cn/static/frame.html", ""),
    ]


def test_links_without_base_use_page_url() -> None:
    page = Page("http://x.gov.cn/zwgk/index.html", '<a href="nb/index.html">年报</a>')
    assert [link.url for link in page.links()] == ["http://x.gov.cn/zwgk/nb/index.html"]


def test_site_agency_from_meta_or_title_suffix() -> None:
    assert Page("http://x.gov.cn/", ARTICLE).site_agency() == "XX县人民政府"
    titled = "<html><head><title>XX县2021年政府信息公开工作年度报告 - XX县科学技术局</title></head></html>"
    assert Page("http://x.gov.cn/", titled).site_agency() == "XX县科学技术局"
    report_only = "<html><head><title>XX县2021年政府信息公开工作年度报告</title></head></html>"
    assert Page("http://x.gov.cn/", report_only).site_agency() is None


def test_text_skips_scripts() -> None:
    text = Page("http://x.gov.cn/", ARTICLE).text()
    assert "正文" in text and "脚本" not in text
