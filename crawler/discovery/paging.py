"""List paging, whatever its spelling: which URLs hold the other pages of a list page.

A :class:`PageSeries` names page ``n`` (1-based) of a list and says how many pages there
are when the page states it. :func:`find_paging` reads it from, in order of trust:

* script pagers: TRS ``createPageHTML(count, current, "index", "shtml")`` with literal or
  variable arguments (``var countPage = 12``) and any extension (default: the current
  page's own), with or without a leading element id; kkpager (``hrefFormer``/``hrefLatter``/
  ``total``); laypage (``count``/``limit``/``curr``); script URLs such as
  ``location.href = "?page=" + n``;
* pager links: 下一页 / 尾页 / 末页 / 首页 / numbered links, as file names (``index_3.shtml``,
  ``list-3.html``, ``column-index-3.shtml``, ``/3.html``) or query strings (``?page=``,
  ``pageNo=``, ``currentPage=``, ``pageIndex=``, ``curPage=``, ``cur_page=``, ``p=``…),
  numbered from 0 or 1;
* text: "共N页", "第x/N页", "页次：x/N", "x/N页".

A series whose page count is stated names its pages a window of ``max_pages`` at a time:
page 1 names pages 1 to ``max_pages``, and the window's last page, once it exists, names the
next window (the caller asks for it only when that page brought links the page asking for it
did not have), so a list of thousands of pages is read to its end while no single page's word
makes the crawl ask for more than ``max_pages`` pages at once. Otherwise only the next page is
named, and the caller asks for the one after only when that page existed and brought new links
(a 404, an empty or a repeated page ends the series). A series built on a guess (page text says
"共N页", no link or script says how pages are named) is never trusted with a count. No page
past ``ceiling`` (the caller's safety ceiling for traps) is named; :meth:`PageSeries.past_ceiling`
says when a list is cut there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from crawler.discovery.pages import Link, Page
from crawler.discovery.scripts import (
    as_int,
    balanced,
    evaluate,
    object_pairs,
    script_variables,
    split_arguments,
)
from crawler.discovery.urls import PAGE_PARAMS

#: Pages of a counted list named at once (its window).
MAX_LIST_PAGES = 500
_NEXT = ("下一页", "下页", "后一页", "后页", "下一頁", "next", ">", ">>", "›", "»", "＞", "下一页>", "下一页>>")
_LAST = ("尾页", "末页", "最后一页", "最末页", "尾頁", "last", ">|", "»|")
_FIRST = ("首页", "第一页", "首頁", "first", "|<")
_PREV = ("上一页", "上页", "前一页", "前页", "上一頁", "prev", "previous", "<", "<<", "‹", "«", "＜")
_COUNT_TEXT = (
    re.compile(r"第\s*(\d{1,4})\s*/\s*(\d{1,4})\s*页"),
    re.compile(r"页次\s*[:：]?\s*(\d{1,4})\s*/\s*(\d{1,4})"),
    re.compile(r"(?<![\d/])(\d{1,4})\s*/\s*(\d{1,4})\s*页"),
    re.compile(r"当前第\s*(\d{1,4})\s*页[^\d]{0,12}共\s*(\d{1,4})\s*页"),
)
_TOTAL_TEXT = re.compile(r"共\s*(\d{1,4})\s*页")
_CURRENT_TEXT = re.compile(r"(?:当前|现在)(?:是)?第\s*(\d{1,4})\s*页")
_COUNT_VARS = ("countPage", "totalPage", "totalPages", "pageCount", "page_count", "pageTotal", "maxPage",
               "allPage", "pagecount", "totalpage", "pages_count", "count_page")
_CURRENT_VARS = ("currentPage", "curPage", "pageIndex", "page_index", "cur_page", "nowPage", "pageNo")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(", re.I)
_KKPAGER = re.compile(r"kkpager\s*\.\s*(?:generPageHtml|init)\s*\(\s*\{", re.I)
_LAYPAGE = re.compile(r"laypage(?:\.render)?\s*\(\s*\{", re.I)
_SCRIPT_FILE = re.compile(
    r"""['"]([^'"\s+]*?(?:index|list|page|default)[_-]?)['"]\s*\+\s*\(?\s*[\w$.]+\s*(?:[-+]\s*1\s*)?\)?\s*\+\s*"""
    r"""['"](\.(?:s?html?|jsp|aspx?|php))['"]""",
    re.I,
)
_SCRIPT_QUERY = re.compile(r"""['"]([^'"\s]*?[?&]([A-Za-z_]+)=)['"]\s*\+""")
_DIGITS = re.compile(r"\d+")
_FILE_NUMBER = re.compile(r"^(.*?)(\d+)(\D*)$")


@dataclass(frozen=True)
class PageSeries:
    """The pages of one list: page 1's URL, how page ``n`` is named, which page this is.

    ``pattern`` holds ``{n}`` where page ``n`` puts ``n + offset``. ``count`` is the number
    of pages when the page states it; a guessed series only uses it to stop.
    """

    first_url: str
    pattern: str
    offset: int
    current: int
    count: int | None
    source: str
    guessed: bool = False

    def url(self, page: int) -> str:
        """The URL of page ``page`` (1-based)."""
        if page <= 1:
            return self.first_url
        return self.pattern.replace("{n}", str(page + self.offset))

    @property
    def counted(self) -> bool:
        """Whether the pages are named a window at a time (a stated count, not a guess);
        else one page at a time."""
        return self.count is not None and not self.guessed

    def window(self, max_pages: int = MAX_LIST_PAGES) -> tuple[int, int]:
        """(first, last) page a counted series names from this page: the window of
        ``max_pages`` pages holding it and, from a window's last page, the next window too."""
        assert self.count is not None
        first = (self.current - 1) // max_pages * max_pages + 1
        last = first + max_pages - 1
        if self.current == last:
            last += max_pages
        return first, min(last, self.count)

    def next_urls(self, max_pages: int = MAX_LIST_PAGES, ceiling: int | None = None) -> list[str]:
        """The pages to ask for from this one: its window when counted (see :meth:`window`),
        else the next; none past ``ceiling``."""
        pages = [p for p in self._next_pages(max_pages) if ceiling is None or p <= ceiling]
        urls = [self.url(p) for p in pages]
        if pages and self.guessed and self.current == 1:
            # index_N numbered from 1 instead of 0: page 2 may be index_2 rather than index_1
            urls.append(self.pattern.replace("{n}", str(pages[0])))
        return list(dict.fromkeys(urls))

    def _next_pages(self, max_pages: int) -> list[int]:
        """The numbers of the pages to ask for from this one, whatever the ceiling."""
        if self.counted:
            first, last = self.window(max_pages)
            return [p for p in range(first, last + 1) if p != self.current]
        following = self.current + 1
        if self.guessed and self.count is not None and following + self.offset > self.count:
            return []  # past the stated count, whether the site numbers from 0 or from 1
        return [following]

    def window_end_url(self, max_pages: int = MAX_LIST_PAGES, ceiling: int | None = None) -> str | None:
        """The page among :meth:`next_urls` that will name the next window of a counted
        series (None when the series ends within the pages named)."""
        if self.count is None or self.guessed:
            return None
        _, last = self.window(max_pages)
        last = last if ceiling is None else min(last, ceiling)
        return self.url(last) if last < self.count else None

    def past_ceiling(self, max_pages: int, ceiling: int) -> bool:
        """Whether this page stands at ``ceiling`` (or past it) and would name pages past it:
        the list is cut here."""
        return self.current >= ceiling and any(p > ceiling for p in self._next_pages(max_pages))


def find_paging(page: Page) -> PageSeries | None:
    """The series ``page`` belongs to, if it shows any sign of paging."""
    try:
        return _find_paging(page)
    except ValueError:  # a pager naming something that is not a URL (``http://[::1``…)
        return None


def _find_paging(page: Page) -> PageSeries | None:
    scripts = page.scripts()
    variables = script_variables(scripts)
    text = page.text()
    stated_count, stated_current = _count_from_text(text)
    script_count = _count_from_variables(variables)
    series = (_from_create_page(page.url, scripts, variables)
              or _from_kkpager(page.url, scripts, variables)
              or _from_links(page.url, page.links() + _option_links(page), stated_current)
              or _from_script_query(page.url, scripts)
              or _from_script_file(page.url, scripts, stated_count or script_count))
    if series is None:
        series = _guess(page.url, stated_count or script_count)
        if series is None:
            return None
    count = series.count
    if count is None:
        count = stated_count or script_count or (None if series.guessed else _laypage_count(scripts, variables))
    current = series.current or stated_current or _current_from_variables(variables) or 1
    if count is not None:
        count = max(1, count)
        if current > count and not series.guessed:
            count = None
    return PageSeries(series.first_url, series.pattern, series.offset, current, count, series.source,
                      series.guessed)


# -- script pagers ------------------------------------------------------------------------------

def _from_create_page(url: str, scripts: str, variables: dict[str, str]) -> PageSeries | None:
    """TRS WCM: ``createPageHTML([id,] count, current[, prefix, ext[, records]])``."""
    match = None
    for candidate in _CREATE_PAGE.finditer(scripts):
        if not re.search(r"function\s*$", scripts[max(0, candidate.start() - 12):candidate.start()]):
            match = candidate
            break
    if match is None:
        return None
    inner = balanced(scripts, match.end() - 1)
    if inner is None:
        return None
    args = split_arguments(inner)
    values = [evaluate(arg, variables) for arg in args]
    numbers: list[int | None] = []
    strings: list[str] = []
    for arg, value in zip(args, values, strict=True):
        number = as_int(value)
        if number is not None and (not strings or numbers):
            numbers.append(number)
        elif value is not None and numbers:
            strings.append(value)
        elif value is None and not strings:
            numbers.append(None)  # a name we cannot resolve still holds its place
        del arg
    count = numbers[0] if numbers else None
    current = numbers[1] if len(numbers) > 1 else None
    if count is None:
        count = _count_from_variables(variables)
    if current is None:
        current = as_int(variables.get("currentPage"))
    names = [s for s in strings if re.fullmatch(r"[\w\-.]+", s or "")]
    prefix = names[0] if names else "index"
    ext = names[1].lstrip(".") if len(names) > 1 else _own_extension(url)
    first = urljoin(url, f"{prefix}.{ext}")
    pattern = urljoin(url, f"{prefix}_{{n}}.{ext}")
    return PageSeries(first, pattern, -1, (current + 1) if current is not None else 0, count,
                      "createPageHTML")


def _from_kkpager(url: str, scripts: str, variables: dict[str, str]) -> PageSeries | None:
    """kkpager: ``hrefFormer + '_' + n + hrefLatter`` (page 1: no ``_n``), or ``getLink``."""
    match = _KKPAGER.search(scripts)
    if match is None:
        return None
    inner = balanced(scripts, match.end() - 1) or ""
    pairs = dict(object_pairs(inner))
    count = as_int(evaluate(pairs.get("total", ""), variables))
    current = as_int(evaluate(pairs.get("pno", ""), variables))
    former = evaluate(pairs.get("hrefFormer", "''"), variables) or ""
    latter = evaluate(pairs.get("hrefLatter", "''"), variables) or ""
    base = urljoin(url, former + latter) if (former or latter) else url
    link = re.search(r"""['"]([?&][A-Za-z_]+=)['"]\s*\+\s*n\b""", pairs.get("getLink", ""))
    if link:
        pattern = _set_query(base, link.group(1).lstrip("?&").rstrip("="), "{n}")
        return PageSeries(base, pattern, 0, current or 0, count, "kkpager")
    if not former:
        return None
    return PageSeries(base, urljoin(url, f"{former}_{{n}}{latter}"), 0, current or 0, count, "kkpager")


def _laypage_count(scripts: str, variables: dict[str, str]) -> int | None:
    """laypage: pages = ceil(count / limit) (``limit`` defaults to 10)."""
    match = _LAYPAGE.search(scripts)
    if match is None:
        return None
    pairs = dict(object_pairs(balanced(scripts, match.end() - 1) or ""))
    pages = as_int(evaluate(pairs.get("pages", ""), variables))
    if pages:
        return pages
    count = as_int(evaluate(pairs.get("count", ""), variables))
    limit = as_int(evaluate(pairs.get("limit", ""), variables)) or 10
    return -(-count // limit) if count else None


def _from_script_query(url: str, scripts: str) -> PageSeries | None:
    """A script that builds page URLs: ``location.href = "?page=" + obj.curr``."""
    for match in _SCRIPT_QUERY.finditer(scripts):
        name = match.group(2)
        if name.lower() not in PAGE_PARAMS:
            continue
        prefix = match.group(1)
        base = urljoin(url, prefix.rsplit("?", 1)[0]) if "?" in prefix else url
        value = _query_value(url, name)
        current = as_int(value) or 1
        pattern = _set_query(base, name, "{n}")
        return PageSeries(_without_query(base, name), pattern, 0, current, None, "script-url")
    return None


def _from_script_file(url: str, scripts: str, count: int | None) -> PageSeries | None:
    """A script that builds page file names: ``location.href = 'index_' + n + '.html'``.

    Whether ``n`` counts from 0 or 1 is not known, so the series is taken as a guess: page
    by page, both numberings tried for page 2, bounded by the stated count.
    """
    match = _SCRIPT_FILE.search(scripts)
    if match is None or not count or count < 2:
        return None
    prefix, ext = match.group(1), match.group(2)
    stem = prefix.rstrip("_-")
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    own = re.fullmatch(re.escape(prefix) + r"(\d+)" + re.escape(ext), name)
    number = int(own.group(1)) if own else 0
    first = urljoin(url, f"{stem}{ext}")
    return PageSeries(first, urljoin(url, f"{prefix}{{n}}{ext}"), -1, number + 1, count, "script-file",
                      guessed=True)


def _option_links(page: Page) -> list[Link]:
    """Page-jump ``<select>`` options (``<option value="index_2.html">3</option>``) as links."""
    found: list[Link] = []
    for node in page.selector.xpath("//select/option[@value]"):
        text = "".join(node.xpath(".//text()").getall()).strip()
        value = node.attrib["value"].strip()
        match = re.fullmatch(r"第?\s*(\d{1,4})\s*页?", text)
        if match and value and not value.isdigit() and not value.startswith(("javascript:", "#")):
            try:
                found.append(Link(urljoin(page.base_url(), value), match.group(1)))
            except ValueError:
                continue
    return found


# -- pager links --------------------------------------------------------------------------------

def _pager_links(url: str, links: list[Link]) -> list[tuple[str, Link]]:
    """Links that look like a pager's: (role, link) with role next/last/first/prev/number."""
    here = urlsplit(url)
    found: list[tuple[str, Link]] = []
    for link in links:
        target = urlsplit(link.url)
        if target.netloc != here.netloc or target.scheme not in ("http", "https"):
            continue
        text = link.text.strip().replace(" ", "").lower()
        if text in _NEXT:
            role = "next"
        elif text in _LAST:
            role = "last"
        elif text in _FIRST:
            role = "first"
        elif text in _PREV:
            role = "prev"
        elif text.isdigit() and 0 < int(text) < 10000:
            role = "number"
        else:
            continue
        if not target.path.startswith(_grandparent(here.path)):
            continue
        found.append((role, link))
    return found


def _from_links(url: str, links: list[Link], stated_current: int | None) -> PageSeries | None:
    """A series from pager links: the page number is the part of the URL that changes."""
    pager = _pager_links(url, links)
    if not pager:
        return None
    numbered = [(int(link.text.strip()), link.url) for role, link in pager if role == "number"]
    shapes: list[tuple[str, int, str]] = []  # (pattern, value, role)
    for role, link in pager:
        shape = _number_shape(url, link.url)
        if shape is not None:
            shapes.append((shape[0], shape[1], role if role != "number" else link.text.strip()))
    if not shapes:
        return None
    # the pattern most pager links share
    patterns: dict[str, int] = {}
    for pattern, _, _ in shapes:
        patterns[pattern] = patterns.get(pattern, 0) + 1
    pattern = max(patterns, key=lambda p: patterns[p])
    own = _value_in(pattern, url)
    offset = _offset(pattern, shapes, numbered, own, stated_current)
    current = (own - offset) if own is not None else 1
    if own is None and stated_current:
        current = stated_current
    first = next((link.url for role, link in pager if role == "first"), None)
    first = first or next((u for n, u in numbered if n == 1), None)
    if first is None:
        if current == 1:
            first = url
        elif _is_file_pattern(pattern):
            first = _strip_number(pattern)
        else:
            first = pattern.replace("{n}", str(1 + offset))
    last_value = next((value for pattern_, value, role in shapes if role == "last" and pattern_ == pattern), None)
    count = (last_value - offset) if last_value is not None else None
    return PageSeries(first, pattern, offset, current, count, "links")


def _offset(pattern: str, shapes: list[tuple[str, int, str]], numbered: list[tuple[int, str]],
            own: int | None, stated_current: int | None) -> int:
    """``value - page``: 0 when URLs carry the page number, -1 when they count from 0."""
    for number, link_url in numbered:
        value = _value_in(pattern, link_url)
        if value is not None:
            return value - number
    current = stated_current or (None if own is not None else 1)
    for pattern_, value, role in shapes:
        if pattern_ == pattern and role == "next" and current is not None:
            return value - (current + 1)
    if _is_file_pattern(pattern) and own is None:
        # index.html is page 1 and index_1.html page 2 (TRS); index_2 would say otherwise
        return -1
    return 0


def _number_shape(url: str, link_url: str) -> tuple[str, int] | None:
    """(pattern with ``{n}``, number) of a pager link: its page parameter or its file number."""
    target = urlsplit(link_url)
    for name, value in parse_qsl(target.query, keep_blank_values=True):
        if name.lower() in PAGE_PARAMS and value.isdigit():
            return _set_query(link_url, name, "{n}"), int(value)
    path = target.path
    head, _, name = path.rpartition("/")
    match = _FILE_NUMBER.match(name) if name else None
    if match is None and name == "" and head:
        # /list/3/ style
        parent, _, last = head.rpartition("/")
        if last.isdigit():
            return urlunsplit((target.scheme, target.netloc, f"{parent}/{{n}}/", target.query, "")), int(last)
        return None
    if match is None:
        return None
    stem, digits, tail = match.groups()
    if not tail.startswith(".") and tail:
        return None
    if len(digits) > 5 or re.search(r"\d{6,}", name):
        return None  # a document id, not a page number
    new_path = f"{head}/{stem}{{n}}{tail}"
    return urlunsplit((target.scheme, target.netloc, new_path, target.query, "")), int(digits)


def _value_in(pattern: str, url: str) -> int | None:
    """The number ``url`` puts where ``pattern`` has ``{n}`` (None when it does not fit)."""
    if "{n}=" in pattern or "={n}" in pattern:
        name_match = re.search(r"[?&]([^=&]+)=\{n\}", pattern)
        if name_match is None:
            return None
        value = _query_value(url, name_match.group(1))
        if value is None or not value.isdigit():
            return None
        name = name_match.group(1)
        left, right = urlsplit(url), urlsplit(pattern)
        if (left.netloc, left.path) != (right.netloc, right.path):
            return None
        others = sorted(p for p in _raw_pairs(left.query) if p[0] != name)
        if others != sorted(p for p in _raw_pairs(right.query) if p[0] != name):
            return None
        return int(value)
    regex = re.escape(pattern).replace(r"\{n\}", r"(\d+)")
    match = re.fullmatch(regex, url.split("#")[0])
    return int(match.group(1)) if match else None


def _is_file_pattern(pattern: str) -> bool:
    return "{n}" in urlsplit(pattern.replace("{n}", "NNN")).path.replace("NNN", "{n}")


def _strip_number(pattern: str) -> str:
    """``index_{n}.shtml`` -> ``index.shtml``: page 1 of a file series counted from 0."""
    return re.sub(r"[_\-]?\{n\}", "", pattern, count=1)


# -- counts and guesses -------------------------------------------------------------------------

def _count_from_text(text: str) -> tuple[int | None, int | None]:
    """(pages, current page) stated in the page text, if any."""
    for regex in _COUNT_TEXT:
        match = regex.search(text)
        if match:
            current, total = int(match.group(1)), int(match.group(2))
            if 0 < current <= total:
                return total, current
    total_match = _TOTAL_TEXT.search(text)
    current_match = _CURRENT_TEXT.search(text)
    return (int(total_match.group(1)) if total_match else None,
            int(current_match.group(1)) if current_match else None)


def _count_from_variables(variables: dict[str, str]) -> int | None:
    for name in _COUNT_VARS:
        value = as_int(variables.get(name))
        if value:
            return value
    return None


def _current_from_variables(variables: dict[str, str]) -> int | None:
    value = as_int(variables.get("currentPage"))
    return value + 1 if value is not None else None


def _guess(url: str, count: int | None) -> PageSeries | None:
    """No link or script names the pages, but the page says it has several: try ``index_N``.

    ``index.html`` is page 1; ``index_N`` is taken as counted from 0 (TRS), and the first
    page also offers ``index_2`` in case the site counts from 1 (see :meth:`PageSeries.next_urls`).
    """
    if not count or count < 2:
        return None
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    match = re.fullmatch(r"(index|default|list)(?:_(\d{1,4}))?(?:\.(\w+))?", name, re.I) if name else None
    if name and match is None:
        return None
    stem = match.group(1) if match else "index"
    number = int(match.group(2)) if match and match.group(2) else 0
    ext = (match.group(3) if match else None) or "html"
    first = urljoin(url, f"{stem}.{ext}")
    return PageSeries(first, urljoin(url, f"{stem}_{{n}}.{ext}"), -1, number + 1, None, "text", guessed=True)


# -- URL helpers --------------------------------------------------------------------------------

def _own_extension(url: str) -> str:
    """The current page's file extension (``html`` for a directory URL)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[1] if "." in name else "html"


def _grandparent(path: str) -> str:
    """The directory above the current page's directory (pager links stay below it)."""
    directory = path.rsplit("/", 1)[0]
    return directory.rsplit("/", 1)[0] + "/"


def _raw_pairs(query: str) -> list[tuple[str, str]]:
    """Query pairs as written (no decoding: GBK escapes stay intact)."""
    return [(part.partition("=")[0], part.partition("=")[2]) for part in query.split("&") if part]


def _query_value(url: str, name: str) -> str | None:
    for key, value in _raw_pairs(urlsplit(url).query):
        if key == name:
            return value
    return None


def _set_query(url: str, name: str, value: str) -> str:
    """``url`` with parameter ``name`` set to ``value`` (in place, or appended)."""
    parts = urlsplit(url)
    pairs = _raw_pairs(parts.query)
    if any(key == name for key, _ in pairs):
        pairs = [(key, value if key == name else old) for key, old in pairs]
    else:
        pairs.append((name, value))
    query = "&".join(f"{key}={val}" for key, val in pairs)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _without_query(url: str, name: str) -> str:
    parts = urlsplit(url)
    query = "&".join(f"{k}={v}" for k, v in _raw_pairs(parts.query) if k != name)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
