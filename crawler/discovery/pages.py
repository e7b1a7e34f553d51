"""Read what a government web page says about itself: title, date, agency, links, text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from urllib.parse import urljoin

from parsel import Selector

from crawler.reports.titles import ReportTitle, normalize_space, parse_report_title

_TITLE_META = ("ArticleTitle", "articletitle", "title", "og:title", "Title")
_DATE_META = ("PubDate", "pubdate", "publishdate", "firstpublishedtime", "Maketime", "article:published_time")
_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_AGENCY_WORDS = re.compile(r"(人民政府|政府|局|委员会|管委会|办公室|厅|部|委|署|院|中心|办)$")
_SITE_META = ("SiteName", "sitename", "og:site_name")


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

    def __init__(self, url: str, text: str) -> None:
        self.url = url
        self.selector = Selector(text=text, base_url=url)

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

    def published_on(self) -> date | None:
        """The publication date from page metadata."""
        return parse_date(_meta(self.selector, _DATE_META))

    def site_agency(self) -> str | None:
        """The agency running the site: SiteName metadata or the <title> suffix."""
        site = _meta(self.selector, _SITE_META)
        if site:
            return normalize_space(site)
        title = " ".join(self.selector.xpath("//title//text()").getall())
        for part in reversed(re.split(r"[-_|—]+", title)):
            part = normalize_space(part)
            if part and _AGENCY_WORDS.search(part) and "报告" not in part:
                return part
        return None

    def text(self) -> str:
        """The visible text of the body."""
        return self._text

    @cached_property
    def _text(self) -> str:
        return " ".join(self.selector.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())

    def links(self) -> list[Link]:
        """Every link (a, area, frame, iframe) with its absolute URL and visible text."""
        return list(self._links)

    @cached_property
    def _links(self) -> list[Link]:
        result: list[Link] = []
        for node in self.selector.xpath("//a[@href]|//area[@href]"):
            href = node.attrib.get("href", "").strip()
            if not href or href.startswith("#"):
                continue
            text = normalize_space(" ".join(node.xpath(".//text()").getall()))
            text = text or normalize_space(node.attrib.get("title", ""))
            text = text or normalize_space(" ".join(node.xpath(".//img/@alt").getall()))
            absolute = _join(self.base_url(), href)
            if absolute is not None:
                result.append(Link(absolute, text))
        for node in self.selector.xpath("//iframe[@src]|//frame[@src]"):
            absolute = _join(self.base_url(), node.attrib["src"].strip())
            if absolute is not None:
                result.append(Link(absolute, ""))
        return result

    def base_url(self) -> str:
        """The URL relative links resolve against (a <base href> wins over the page URL)."""
        base = self.selector.xpath("//base/@href").get()
        return (_join(self.url, base.strip()) or self.url) if base else self.url

    def scripts(self) -> str:
        """All inline script text (where TRS and Hanweb hide their lists)."""
        return self._scripts

    @cached_property
    def _scripts(self) -> str:
        return "\n".join(self.selector.xpath("//script/text()").getall())

