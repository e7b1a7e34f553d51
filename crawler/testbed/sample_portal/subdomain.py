"""A county portal whose 信息公开 platform is on another subdomain, with the hard identity cases.

Served by host name (virtual hosts on one port): the seed is ``www.<domain>``, the platform
``xxgk.<domain>``; a crawler needs ``--resolve`` for both names and domain scope to find the
platform. It carries:

* department columns whose report titles omit the agency ("2023年度政府信息公开工作年度报告"):
  the column (``ColumnName``), the opening sentence or the signature names it, while the
  breadcrumb names the platform's sections (chrome that must not be read);
* a report on 2017 in the old 政府信息公开情况统计表 format (template ``pre2019``);
* decoys: a 法治政府建设年度报告, a 解读 of a report, a 统计年报 (not disclosure reports);
* soft 404s: a listed item answering 200 "您访问的页面不存在", and unknown paths answering
  200 with the platform's error page;
* a link to a parent portal on another registered domain (out of scope: never fetched).
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections.abc import Callable, Sequence
from html import escape

from crawler.testbed.reportgen import GeneratedReport, render_html
from crawler.testbed.sample_portal.builder import SiteBuilder
from crawler.testbed.sample_portal.documents import render_attachment
from crawler.testbed.sample_portal.model import PORT, PlacedReport, SiteModel
from crawler.testbed.sample_portal.pages import Link, article, attachment_block, link_list, page

MakeReport = Callable[[str, int], GeneratedReport]
DOMAIN = "pingchuan-sample.gov.cn"
WWW, XXGK = f"www.{DOMAIN}", f"xxgk.{DOMAIN}"
#: A parent portal linked from the home page: another registered domain, out of scope.
PARENT = "www.shangji-sample.gov.cn"
SOFT_404_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>提示信息</title></head><body>'
    '<div class="header">平川县政府信息公开平台</div><div class="box"><h2>提示</h2>'
    "<p>对不起，您访问的页面不存在或已删除！</p><p><a href=\"/\">返回首页</a></p></div></body></html>"
)


def _x(path: str) -> str:
    """A path on the platform host."""
    return f"//{XXGK}{path}"


def _xurl(path: str) -> str:
    """An absolute link to the platform host (the port filled in when served)."""
    return f"http://{XXGK}:{PORT}{path}"


def build_subdomain(rng: random.Random, *, government: str, departments: Sequence[str],
                    make_report: MakeReport) -> SiteModel:
    """The portal of ``government`` with its platform and the columns of two ``departments``."""
    site = SiteModel(name="subdomain", title=government, agencies=[government, *departments],
                     hostnames=(WWW, XXGK), outside_hostnames=(PARENT,),
                     soft_404_body=None)
    b = SiteBuilder(site)
    nav = (Link("/", "首页"), Link(_xurl("/"), "政府信息公开"))
    b.html("/", page(government, link_list([
        Link(_xurl("/"), "政府信息公开"),
        Link(f"http://{PARENT}:{PORT}/", "上级政府门户网站"),
        Link("/zwdt/index.html", "政务动态"),
    ]), nav=nav, site_title=government))
    b.html("/zwdt/index.html", page("政务动态", link_list([
        Link(_xurl("/zfxxgk/ndbg/index.html"), "政府信息公开工作年度报告"),
    ]), nav=nav, site_title=government))
    robots = b"User-agent: *\nDisallow: /admin/\n"
    b.file("/robots.txt", robots, "text/plain", modified=datetime.date(2023, 1, 1))
    b.file(_x("/robots.txt"), robots, "text/plain", modified=datetime.date(2023, 1, 1))
    platform = f"{government}政府信息公开平台"
    # the platform's pages link back to the portal only from its home page: report pages hold
    # no port number, so their bytes are the same whichever port the portal runs on
    xnav = (Link("/", "平台首页"),)
    columns = [Link("/zfxxgk/ndbg/index.html", f"{government}年度报告")]
    columns += [Link(f"/bm/{i}/ndbg/index.html", name) for i, name in enumerate(departments)]
    b.html(_x("/"), page(platform, "<h2>政府信息公开年报</h2>" + link_list(columns),
                         nav=(*xnav, Link(f"http://{WWW}:{PORT}/", "门户首页")), site_title=platform))
    _government_column(b, rng, government, make_report, xnav, platform)
    for i, name in enumerate(departments):
        _department_column(b, rng, i, name, government, make_report, xnav, platform)
    site.soft_404_body = SOFT_404_PAGE.encode()
    return site


def _crumb(*parts: str) -> str:
    return '<div class="position">当前位置：' + " &gt; ".join(escape(p) for p in parts) + "</div>"


def _detail(b: SiteBuilder, path: str, title: str, content: str, *, day: datetime.date,
            column: str, site_title: str, crumb: Sequence[str], nav: Sequence[Link],
            attachments: str = "") -> None:
    metas = {"SiteName": site_title, "ColumnName": column, "ArticleTitle": title,
             "PubDate": day.isoformat()}
    body = _crumb(*crumb) + article(title, day.isoformat(), column, content, attachments)
    b.html(_x(path), page(title, body, metas=metas, nav=nav, site_title=site_title), modified=day)


def _government_column(b: SiteBuilder, rng: random.Random, government: str, make_report: MakeReport,
                       nav: Sequence[Link], platform: str) -> None:
    folder = "/zfxxgk/ndbg/"
    crumb = ("首页", "政府信息公开", "政府信息公开年报")
    entries: list[Link] = []
    current = make_report(government, 2023)
    path = f"{folder}2024/t20240325_1.html"
    _detail(b, path, current.title, render_html(current), day=current.published_on,
            column="政府信息公开年报", site_title=platform, crumb=crumb, nav=nav)
    b.site.reports.append(PlacedReport(current, [_x(path)], form="inline", pages=[_x(path)]))
    entries.append(Link(path, current.title, current.published_on.isoformat()))
    old = dataclasses.replace(make_report(government, 2017), template="pre2019")
    old_day = datetime.date(2018, 3, 28)
    path = f"{folder}2018/t20180328_7.html"
    _detail(b, path, old.title, pre2019_content(government, 2017, rng), day=old_day,
            column="政府信息公开年报", site_title=platform, crumb=crumb, nav=nav)
    b.site.reports.append(PlacedReport(old, [_x(path)], form="inline-pre2019", pages=[_x(path)]))
    entries.append(Link(path, old.title, old_day.isoformat()))
    decoys = (
        (f"{government}2023年法治政府建设年度报告", "法治政府建设"),
        (f"关于《{government}2023年政府信息公开工作年度报告》的解读", "政策解读"),
        (f"{government}统计局2023年统计年报", "统计信息"),
    )
    for n, (title, column) in enumerate(decoys):
        day = datetime.date(2024, 3, 10 + n)
        decoy_path = f"/zfxxgk/{n}/t{day:%Y%m%d}_{n}.html"
        text = (f"<p>{escape(title)}。2023年，{escape(government)}全面推进各项工作，"
                "现将有关情况报告如下。</p><p>一、主要工作</p><p>（略）</p>")
        _detail(b, decoy_path, title, text, day=day, column=column, site_title=platform,
                crumb=("首页", "政府信息公开", column), nav=nav)
        entries.append(Link(decoy_path, title, day.isoformat()))
    b.html(_x(folder + "index.html"), page("政府信息公开年报", "<h2>政府信息公开年报</h2>"
                                          + link_list(entries), nav=nav, site_title=platform))


def _department_column(b: SiteBuilder, rng: random.Random, index: int, name: str, government: str,
                       make_report: MakeReport, nav: Sequence[Link], platform: str) -> None:
    folder = f"/bm/{index}/ndbg/"
    crumb = ("首页", "部门信息公开", "年度报告")
    entries: list[Link] = []
    plan = ((2023, "inline" if index == 0 else "pdf"), (2022, "pdf"))
    for year, form in plan:
        report = make_report(name, year)
        bare = dataclasses.replace(report, title=f"{year}年度政府信息公开工作年度报告")
        path = f"{folder}t{report.published_on:%Y%m%d}_{index}{year}.html"
        if form == "inline":
            _detail(b, path, bare.title, render_html(bare), day=report.published_on, column=name,
                    site_title=platform, crumb=crumb, nav=nav)
            placed = PlacedReport(report, [_x(path)], form="inline-agencyless", pages=[_x(path)])
        else:
            doc = render_attachment(bare, "pdf")
            target = f"/bm/{index}/files/P0{year}{index}.pdf"
            b.file(_x(target), doc.body, doc.content_type, modified=report.published_on)
            links = attachment_block([Link(target, f"{bare.title}.pdf")])
            _detail(b, path, bare.title, f"<p>{escape(bare.title)}全文见附件。</p>",
                    day=report.published_on, column=name, site_title=platform, crumb=crumb,
                    nav=nav, attachments=links)
            placed = PlacedReport(report, [_x(target)], form="pdf-agencyless", pages=[_x(path)])
        b.site.reports.append(placed)
        entries.append(Link(path, bare.title, report.published_on.isoformat()))
    # a listed item the department withdrew: 200 with "您访问的页面不存在" (a soft 404)
    gone = f"{folder}t20220120_{index}2021.html"
    b.html(_x(gone), SOFT_404_PAGE)
    entries.append(Link(gone, "2021年度政府信息公开工作年度报告", "2022-01-20"))
    # and one whose page no longer exists at all (the platform answers 200 with its error page)
    entries.append(Link(f"{folder}t20210115_{index}2020.html", "2020年度政府信息公开工作年度报告",
                        "2021-01-15"))
    b.html(_x(folder + "index.html"), page(name, f"<h2>{escape(name)}</h2>" + link_list(entries),
                                          nav=nav, site_title=platform,
                                          metas={"ColumnName": name, "SiteName": platform}))


def pre2019_content(agency: str, year: int, rng: random.Random) -> str:
    """A report in the pre-2019 format: prose and the 政府信息公开情况统计表."""
    active, requests = rng.randint(120, 900), rng.randint(0, 30)
    granted = rng.randint(0, requests)
    rows = (
        ("一、主动公开情况", "", ""), ("（一）主动公开政府信息数", "条", str(active)),
        ("其中：主动公开规范性文件数", "条", str(rng.randint(0, 20))),
        ("二、回应解读情况", "", ""), ("（一）回应公众关注热点或重大舆情数", "次", str(rng.randint(0, 9))),
        ("三、依申请公开情况", "", ""), ("（一）收到申请数", "件", str(requests)),
        ("（二）申请办结数", "件", str(requests)), ("1.按时办结数", "件", str(requests)),
        ("（三）申请答复数", "件", str(requests)), ("1.属于已主动公开范围数", "件", str(granted)),
        ("四、行政复议数量", "件", "0"), ("五、行政诉讼数量", "件", "0"),
    )
    table = "".join(f"<tr><td>{a}</td><td>{u}</td><td>{n}</td></tr>" for a, u, n in rows)
    return (
        f"<p>本报告根据《中华人民共和国政府信息公开条例》要求，由{escape(agency)}编制。"
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。</p>"
        "<p>一、概述</p><p>本年度政府信息公开工作稳步推进。</p>"
        f"<p>二、主动公开政府信息情况</p><p>全年主动公开政府信息{active}条。</p>"
        f"<p>三、依申请公开情况</p><p>全年受理政府信息公开申请{requests}件。</p>"
        "<p>四、存在的主要问题及改进措施</p><p>（略）</p>"
        "<p>附件：政府信息公开情况统计表</p>"
        f'<table border="1"><tr><td>统计指标</td><td>单位</td><td>统计数</td></tr>{table}</table>'
        f'<p style="text-align:right">{escape(agency)}<br>{year + 1}年3月28日</p>'
    )
