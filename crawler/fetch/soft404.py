"""Soft 404s: a 200 page that says the item does not exist.

Two signs, either suffices (a page that carries a report's tables is never one):

* the page's title or main heading, or its whole short text, says so ("页面不存在", "已删除",
  "您访问的页面不存在", "信息已撤销"…);
* the page is the site's own answer to a nonsense path: each host is probed once with a
  made-up URL, and a page whose text matches that answer (URLs and digits ignored) is one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from parsel import Selector

from crawler.reports.titles import has_report_body, normalize_space

#: What soft 404 pages say (compared without white space).
NOT_FOUND_PHRASES: tuple[str, ...] = (
    "页面不存在", "您访问的页面不存在", "你访问的页面不存在", "您访问的页面找不回来了", "页面未找到",
    "找不到页面", "页面找不到", "无法找到该页", "页面已删除", "已删除", "已被删除", "信息已撤销",
    "文章不存在", "信息不存在", "内容不存在", "该信息不存在", "稿件已撤销", "页面已失效", "链接已失效",
    "抱歉，页面", "404NotFound", "404错误", "错误404",
)
_PHRASE = re.compile("|".join(re.escape(p) for p in NOT_FOUND_PHRASES), re.I)
#: Every phrase holds one of these (tests check it), and markup cannot split one of them: a
#: page whose source holds none (nor a character reference, ``&#``) cannot say any phrase.
PHRASE_MARKERS: tuple[str, ...] = ("存", "删", "撤", "找", "失", "抱", "404")
_MAY_SAY = re.compile("|".join(re.escape(m) for m in (*PHRASE_MARKERS, "&#")))
#: A page whose whole visible text is shorter than this may be judged by its text alone.
SHORT_TEXT = 400
_URLS = re.compile(r"(?:https?://|/)[\w\-./?=&%#:;~+]*", re.I)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class PageText:
    """What soft-404 judgement reads of a page: its headings and its visible text."""

    title: str
    heading: str
    text: str

    @classmethod
    def of(cls, html: str) -> PageText:
        sel = Selector(text=html or "<html></html>")
        title = normalize_space(" ".join(sel.xpath("//title//text()").getall()))
        heading = normalize_space(" ".join(sel.xpath("(//h1|//h2)[1]//text()").getall()))
        text = normalize_space(" ".join(sel.xpath(
            "//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()))
        return cls(title, heading, text)

    def fingerprint(self) -> str:
        """The page's text with URLs and numbers taken out: equal for one site's error template."""
        body = _DIGITS.sub("", _URLS.sub("", self.title + "\n" + self.text))
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


def says_not_found(page: PageText) -> str | None:
    """The phrase by which the page says its item does not exist, if it does."""
    if has_report_body(page.text):
        return None
    for place in (page.title, page.heading):
        match = _PHRASE.search(place)
        if match:
            return match.group(0)
    if len(page.text) <= SHORT_TEXT:
        match = _PHRASE.search(page.text)
        if match:
            return match.group(0)
    return None


def soft_404_reason(html: str, *, nonsense_fingerprint: str | None) -> str | None:
    """Why ``html`` (answered 200) is a soft 404, or None when it is a real page.

    Without a nonsense-URL template only the phrases can tell, so a page whose source holds
    no :data:`PHRASE_MARKERS` is not parsed at all.
    """
    if nonsense_fingerprint is None and not _MAY_SAY.search(html):
        return None
    page = PageText.of(html)
    if has_report_body(page.text):
        return None
    if nonsense_fingerprint is not None and page.fingerprint() == nonsense_fingerprint:
        return "same page as the site's answer to a nonsense URL"
    phrase = says_not_found(page)
    return f"the page says {phrase!r}" if phrase else None
