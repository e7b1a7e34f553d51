"""Pages that are not reports: news, services, notices about reports, error and trap pages."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from html import escape

from crawler.testbed.reportgen import render_notice_html
from crawler.testbed.sample_portal.builder import SiteBuilder
from crawler.testbed.sample_portal.pages import Link, article, link_list, page, pager_links

NEWS_PER_PAGE = 20
_TOPICS = (
    "召开安全生产工作会议", "开展防汛应急演练", "举办政策宣讲活动", "推进优化营商环境工作",
    "开展乡村振兴调研", "召开党风廉政建设工作会议", "开展“我为群众办实事”实践活动",
    "部署冬春季森林防火工作", "开展消费品安全专项检查", "举办就业招聘会", "推进老旧小区改造",
    "开展义务植树活动", "召开人大代表建议办理工作会", "开展食品安全宣传周活动",
    "推进数字政府建设", "部署秋粮收购工作", "开展法治宣传进社区活动", "举办科技活动周",
)
_SERVICES = (
    "个人社保参保证明打印", "不动产登记资料查询", "企业开办一网通办", "居民身份证办理",
    "医保关系转移接续", "建筑工程施工许可", "道路运输经营许可", "残疾人两项补贴申领",
    "高龄津贴申请", "城乡居民养老保险参保登记", "食品经营许可", "户籍迁入",
)


def random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A day between ``start`` and ``end`` inclusive."""
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def news_title(rng: random.Random, agency: str) -> str:
    """A headline such as 平罗县教育局召开安全生产工作会议."""
    return agency + rng.choice(_TOPICS)


def news_content(rng: random.Random, agency: str, title: str, day: datetime.date) -> str:
    """Two or three paragraphs of a news item."""
    paragraphs = [
        f"{day.month}月{day.day}日，{title}。会议传达学习了上级有关文件精神，安排部署了下一阶段重点工作。",
        f"会议要求，各单位要提高思想认识，压实工作责任，确保各项任务落到实处。{agency}相关负责同志参加会议。",
    ]
    if rng.random() < 0.5:
        paragraphs.append("下一步，将持续跟踪督办，及时总结经验做法，推动工作取得更大成效。")
    return "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)


def add_news_column(
    b: SiteBuilder,
    rng: random.Random,
    *,
    folder: str,
    name: str,
    count: int,
    agencies: Sequence[str],
    detail_path: Callable[[datetime.date, int], str],
    nav: Sequence[Link],
    charset: str | None,
    header_charset: str | None = "site",
) -> None:
    """A news column at ``folder``index.html with ``count`` items and ordinary ``<a>`` paging."""
    items: list[Link] = []
    used: set[str] = set()
    for _ in range(count):
        day = random_day(rng, datetime.date(2021, 1, 1), datetime.date(2025, 6, 30))
        path = detail_path(day, rng.randrange(10**6, 10**7))
        while path in used:
            path = detail_path(day, rng.randrange(10**6, 10**7))
        used.add(path)
        agency = rng.choice(agencies)
        title = news_title(rng, agency)
        body = article(title, day.isoformat(), agency, news_content(rng, agency, title, day))
        b.html(path, page(title, body, charset=charset, nav=nav, site_title=b.site.title,
                          metas={"ArticleTitle": title, "PubDate": f"{day.isoformat()} 10:00"}),
               header_charset=header_charset)
        items.append(Link(path, title, day.isoformat()))
    items.sort(key=lambda link: (link.date, link.href), reverse=True)
    pages = max(1, -(-len(items) // NEWS_PER_PAGE))
    for i in range(pages):
        chunk = items[i * NEWS_PER_PAGE:(i + 1) * NEWS_PER_PAGE]
        body = f"<h2>{escape(name)}</h2>\n{link_list(chunk)}\n{pager_links('index', pages, i)}"
        path = folder + ("index.html" if i == 0 else f"index_{i}.html")
        b.html(path, page(name, body, charset=charset, nav=nav, site_title=b.site.title),
               header_charset=header_charset)


def notice_page(
    rng: random.Random, agency: str, year: int, day: datetime.date, *, charset: str | None,
    nav: Sequence[Link], site_title: str,
) -> tuple[str, str]:
    """(title, whole page) of a notice about annual reports that is not one."""
    title, fragment = render_notice_html(agency, year, rng)
    metas = {"ArticleTitle": title, "PubDate": f"{day.isoformat()} 09:30"}
    body = article(title, day.isoformat(), agency, fragment)
    return title, page(title, body, charset=charset, metas=metas, nav=nav, site_title=site_title)


def service_pages(b: SiteBuilder, *, folder: str, sid_link: str, nav: Sequence[Link],
                  charset: str | None) -> Link:
    """办事服务 pages whose links carry a session id that changes on every view."""
    links = [Link(f"{folder}item_{i}.html{sid_link}", name) for i, name in enumerate(_SERVICES)]
    index = f"<h2>办事服务</h2>\n{link_list(links)}"
    b.html(folder + "index.html", page("办事服务", index, charset=charset, nav=nav,
                                       site_title=b.site.title), behaviour="session")
    for i, name in enumerate(_SERVICES):
        content = (
            f"<p>事项名称：{escape(name)}</p><p>办理时限：即办件</p><p>收费标准：不收费</p>"
            f'<p><a href="{folder}index.html{sid_link}">返回办事服务</a> '
            f'<a href="{folder}item_{(i + 1) % len(_SERVICES)}.html{sid_link}">下一事项</a></p>'
        )
        b.html(f"{folder}item_{i}.html", page(name, article(name, "2024-01-02", "政务服务中心", content),
                                               charset=charset, nav=nav, site_title=b.site.title),
               behaviour="session")
    return Link(folder + "index.html" + sid_link, "办事服务")


def add_traps(b: SiteBuilder, *, slow_seconds: float, charset: str | None,
              nav: Sequence[Link]) -> list[Link]:
    """Dead link, permanent 500, redirect loop, slow page, endless calendar; links to them."""
    b.error("/zwgk/zcjd/index.html", 500,
            "<html><body><h1>500 Internal Server Error</h1><p>数据库连接失败</p></body></html>")
    b.redirect("/loop/a.html", "/loop/b.html", 302)
    b.redirect("/loop/b.html", "/loop/a.html", 302)
    slow = article("领导信息", "2024-03-01", b.site.title, "<p>本页面响应较慢。</p>")
    b.html("/ldxx/index.html", page("领导信息", slow, charset=charset, nav=nav,
                                    site_title=b.site.title), delay=slow_seconds)
    b.html("/calendar/index.html", "", behaviour="calendar")
    return [
        Link("/xwzx/old/index.html", "历史资料"),  # dead: 404
        Link("/zwgk/zcjd/index.html", "政策解读"),  # permanent 500
        Link("/loop/a.html", "专题专栏"),
        Link("/ldxx/index.html", "领导信息"),
        Link("/calendar/index.html", "活动日历"),
    ]


def not_found_page() -> bytes:
    """The body of a 404 answer."""
    return (
        "<html><head><meta charset=\"utf-8\"><title>404</title></head>"
        "<body><h1>404 Not Found</h1><p>您访问的页面不存在或已被删除。</p></body></html>"
    ).encode()
