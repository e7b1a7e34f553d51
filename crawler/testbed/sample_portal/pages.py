"""HTML page chrome shared by the simulated sites: head, navigation, lists, footers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Link:
    """One entry of a list page: where it goes, its text, and the date shown beside it."""

    href: str
    text: str
    date: str = ""


def without(links: Iterable[Link], hrefs: Iterable[str]) -> list[Link]:
    """``links`` less those pointing to one of ``hrefs`` (order kept)."""
    gone = set(hrefs)
    return [link for link in links if link.href not in gone]


def page(
    title: str,
    body: str,
    *,
    charset: str | None = "utf-8",
    metas: dict[str, str] | None = None,
    nav: Sequence[Link] = (),
    site_title: str = "",
) -> str:
    """A whole HTML document; ``charset=None`` declares no encoding at all."""
    head: list[str] = []
    if charset is not None:
        head.append(f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    for name, content in (metas or {}).items():
        head.append(f'<meta name="{escape(name)}" content="{escape(content)}">')
    head.append(f"<title>{escape(title, quote=False)}</title>")
    head.append('<link rel="stylesheet" href="/images/common.css">')
    menu = "".join(f'<li><a href="{escape(link.href)}">{escape(link.text)}</a></li>' for link in nav)
    banner = escape(site_title or title, quote=False)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n" + "\n".join(head) + "\n</head>\n<body>\n"
        f'<div class="header"><div class="logo">{banner}</div><ul class="nav">{menu}</ul></div>\n'
        f'<div class="main">\n{body}\n</div>\n'
        '<div class="footer">主办单位：' + banner + " 技术支持：本网站管理中心 "
        '<a href="/wzdt/index.html">网站地图</a></div>\n</body>\n</html>\n'
    )


def link_list(links: Iterable[Link], *, css: str = "list") -> str:
    """An ``<ul>`` of links with dates, as list pages show them."""
    items = []
    for link in links:
        date = f"<span>{escape(link.date)}</span>" if link.date else ""
        items.append(
            f'<li><a href="{escape(link.href)}" title="{escape(link.text)}" target="_blank">'
            f"{escape(link.text, quote=False)}</a>{date}</li>"
        )
    return f'<ul class="{css}">\n' + "\n".join(items) + "\n</ul>"


def pager_links(prefix: str, count: int, current: int, ext: str = "html") -> str:
    """Ordinary ``<a>`` pagination (首页/上一页/下一页/尾页) for noise lists."""
    def name(i: int) -> str:
        return f"{prefix}.{ext}" if i == 0 else f"{prefix}_{i}.{ext}"

    parts = [f'<a href="{name(0)}">首页</a>']
    if current > 0:
        parts.append(f'<a href="{name(current - 1)}">上一页</a>')
    if current < count - 1:
        parts.append(f'<a href="{name(current + 1)}">下一页</a>')
    parts.append(f'<a href="{name(count - 1)}">尾页</a>')
    return f'<div class="page">共{count}页 ' + " ".join(parts) + "</div>"


def create_page_script(count: int, current: int, prefix: str = "index", ext: str = "html") -> str:
    """TRS WCM pagination: only the inline script knows the other pages (no ``<a>`` to them)."""
    return (
        '<div class="page"><script language="JavaScript">\n'
        f"var currentPage = {current};//所在页从0开始\n"
        f"var prevPage = currentPage-1//上一页\n"
        f"var nextPage = currentPage+1//下一页\n"
        f"var countPage = {count}//共多少页\n"
        f'createPageHTML({count}, {current}, "{prefix}", "{ext}");\n'
        "</script></div>"
    )


def article(title: str, date: str, source: str, content: str, attachments: str = "") -> str:
    """A detail page's article block: title, info line, content, attachments."""
    return (
        f'<div class="article"><h2 class="title">{escape(title, quote=False)}</h2>\n'
        f'<div class="info">发布日期：{escape(date)} 来源：{escape(source)}</div>\n'
        f'<div class="content">\n{content}\n</div>\n{attachments}</div>'
    )


def attachment_block(links: Iterable[Link]) -> str:
    """The 附件 list under an article."""
    items = "".join(
        f'<p>附件：<a href="{escape(link.href)}" target="_blank">{escape(link.text, quote=False)}</a></p>'
        for link in links
    )
    return f'<div class="attachments">{items}</div>'
