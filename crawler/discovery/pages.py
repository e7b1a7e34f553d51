"""Read what a government web page says about itself: title, date, agency, links, text.

Hostile pages: the base URL is worked out once per page, at most ``max_links`` links are
read (:data:`MAX_LINKS_PER_PAGE` by default), and nothing here backtracks over long runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from urllib.parse import urljoin

from parsel import Selector

from crawler.reports.page_identity import (
    Identity,
    agency_from_opening,
    agency_from_signature,
    clean_agency,
    decide,
)
from crawler.reports.titles import ReportTitle, normalize_space, parse_report_title

_TITLE_META = ("ArticleTitle", "articletitle", "title", "og:title", "Title")
_DATE_META = ("PubDate", "pubdate", "publishdate", "firstpublishedtime", "Maketime", "article:published_time")
_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_SITE_META = ("SiteName", "sitename", "og:site_name")
#: Links read from one page (a link flood beyond this is ignored and counted).
MAX_LINKS_PER_PAGE = 5000
_LINK_NODES = "//a[@href]|//area[@href]|//iframe[@src]|//frame[@src]"
#: Characters of a link's text kept (the text only ranks and names links).
MAX_LINK_TEXT = 1000
_COLUMN_META = ("ColumnName", "columnname")
#: Where CMSs put the article itself (TRS, Hanweb, Ucap, Dayu…); else the block with most <p>.
_CONTENT = (
    "//*[contains(@class,'TRS_Editor')]", "//*[@id='zoom']", "//*[@id='UCAP-CONTENT']",
    "//*[contains(@class,'article-content')]", "//*[@id='content']", "//*[contains(@class,'content')]",
)
_BLOCKS = ".//p|.//h1|.//h2|.//h3|.//h4|.//td[not(.//p)]|.//div[not(.//div) and not(.//p)]"


@dataclass(frozen=True)
class Link:
    """A link on a page: absolute URL and the text a reader sees for it."""

    url: str
    text: str


def _meta(sel: Selector, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = sel.xpath(
            f"//meta[@name='{name}' or @property='{name}']/@content"
        ).get()
        if value and value.strip():
            return value.strip()
    return None


def parse_date(text: str | None) -> date | None:
    """The first plausible date in ``text`` (2022-01-05, 2022/1/5, 2022年1月5日…)."""
    if not text:
        return None
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _join(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base``; None when it is not a usable URL (``http://[::1``)."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


class Page:
    """A decoded HTML page with the questions the spider asks of it."""

    def __init__(self, url: str, text: str, *, max_links: int = MAX_LINKS_PER_PAGE) -> None:
        self.url = url
        self.selector = Selector(text=text, base_url=url)
        self.max_links = max_links
        #: Links left unread because the page had more than ``max_links`` (after :meth:`links`).
        self.links_dropped = 0
        self._base_url: str | None = None

    def title_candidates(self) -> list[str]:
        """Titles in order of trust: metadata, then headings, then the <title> element."""
        sel = self.selector
        found = [_meta(sel, _TITLE_META)]
        found += [normalize_space(" ".join(h.xpath(".//text()").getall())) for h in sel.xpath("//h1|//h2")[:3]]
        found.append(normalize_space(" ".join(sel.xpath("//title//text()").getall())))
        return [t for t in found if t]

    def title(self) -> str:
        """The best title the page offers ("" when none)."""
        candidates = self.title_candidates()
        return candidates[0] if candidates else ""

    def report_title(self) -> ReportTitle | None:
        """The report this page is titled as, if any."""
        for candidate in self.title_candidates():
            parsed = parse_report_title(candidate)
            if parsed:
                return parsed
        return None

    def content_lines(self) -> list[str]:
        """The article's text lines (paragraphs, headings, line breaks), without site chrome."""
        sel = self.selector
        container = None
        for xpath in _CONTENT:
            nodes = sel.xpath(xpath)
            if nodes:
                container = max(nodes, key=lambda n: len(n.xpath(".//p")))
                break
        if container is None:
            blocks = sel.xpath("//body//*[p]")
            if not blocks:
                return []
            container = max(blocks, key=lambda n: len(n.xpath("./p")))
        lines: list[str] = []
        for block in container.xpath(_BLOCKS):
            text = "\n".join(block.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall())
            lines += [normalize_space(part) for part in text.splitlines() if normalize_space(part)]
        return lines

    def report_identity(self, link_text: str = "") -> Identity | None:
        """Agency and year of the report this page is titled as, and which source decided the
        agency (title, opening, signature, column, site, link); None when it is not titled as one."""
        report = self.report_title()
        if report is None:
            return None
        lines = [line for line in self.content_lines() if parse_report_title(line) is None]
        linked = parse_report_title(link_text) if link_text else None
        candidates = [
            ("opening", agency_from_opening("".join(lines[:6]), report.year)),
            ("signature", agency_from_signature(lines)),
            ("column", clean_agency(_meta(self.selector, _COLUMN_META))),
            ("site", self.site_agency()),
            ("link", linked.agency if linked else None),
        ]
        return decide(report.title, report.year, title_agency=report.agency, candidates=candidates)

    def published_on(self) -> date | None:
        """The publication date from page metadata."""
        return parse_date(_meta(self.selector, _DATE_META))

    def site_agency(self) -> str | None:
        """The agency running the site: SiteName metadata or the <title> suffix."""
        site = clean_agency(_meta(self.selector, _SITE_META))
        if site:
            return site
        title = " ".join(self.selector.xpath("//title//text()").getall())
        for part in reversed(re.split(r"[-_|—]+", title)):
            agency = clean_agency(part)
            if agency and "报告" not in part:
                return agency
        return None

    def text(self) -> str:
        """The visible text of the body."""
        return self._text

    @cached_property
    def _text(self) -> str:
        root = self.selector.root
        if not hasattr(root, "xpath"):
            return ""
        return " ".join(root.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"))

    def links(self) -> list[Link]:
        """Links (a, area, frame, iframe) with absolute URL and visible text, at most
        ``max_links``; :attr:`links_dropped` counts the rest."""
        return list(self._links)

    @cached_property
    def _links(self) -> list[Link]:
        result: list[Link] = []
        base = self.base_url()
        found = int(float(self.selector.xpath(f"count({_LINK_NODES})").get() or 0))
        self.links_dropped = max(0, found - self.max_links)
        for node in self.selector.xpath(f"({_LINK_NODES})[position() <= {int(self.max_links)}]"):
            if node.root.tag in ("iframe", "frame"):
                absolute = _join(base, node.attrib["src"].strip())
                if absolute is not None:
                    result.append(Link(absolute, ""))
                continue
            href = node.attrib.get("href", "").strip()
            if not href or href.startswith("#"):
                continue
            text = normalize_space(" ".join(node.root.xpath(".//text()"))[: MAX_LINK_TEXT * 4])
            text = text or normalize_space(node.attrib.get("title", "")[: MAX_LINK_TEXT * 4])
            text = text or normalize_space(" ".join(node.root.xpath(".//img/@alt"))[: MAX_LINK_TEXT * 4])
            absolute = _join(base, href)
            if absolute is not None:
                result.append(Link(absolute, text[:MAX_LINK_TEXT]))
        return result

    def base_url(self) -> str:
        """The URL relative links resolve against (a <base href> wins over the page URL)."""
        if self._base_url is None:
            base = self.selector.xpath("//base/@href").get()
            self._base_url = (_join(self.url, base.strip()) or self.url) if base else self.url
        return self._base_url

    def scripts(self) -> str:
        """All inline script text (where TRS and Hanweb hide their lists)."""
        return self._scripts

    @cached_property
    def _scripts(self) -> str:
        return "\n".join(self.selector.xpath("//script/text()").getall())

