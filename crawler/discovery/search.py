"""Site search: a portal's own GET search, asked for reports no column lists.

:func:`find_search_form` reads the first usable search of a page: a ``<form>`` (GET) with a
text input (``/search/``, ``so.html?q=``, ``searchword=``, ``keyword=``, ``searchWord=``…,
hidden inputs kept), or a script that sends the visitor to such a URL
(``location.href = "/so/s?qt=" + encodeURIComponent(kw)``). :func:`search_urls` builds the
query URLs for :data:`SEARCH_TERMS` in the site's own encoding (GBK sites get GBK escapes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from crawler.discovery.pages import Page

#: What a site's search is asked for, in order.
SEARCH_TERMS = ("政府信息公开工作年度报告", "年度报告")
#: Text input names that say "search words" (lower case), best first.
_QUERY_NAMES = ("searchword", "q", "query", "keyword", "keywords", "wd", "kw", "word", "key", "qt",
                "searchkey", "search", "s", "text", "title", "content", "sw", "searchtext", "querystring")
_SKIP_INPUTS = ("submit", "button", "image", "reset", "checkbox", "radio", "file", "password")
_SEARCH_HINT = re.compile(r"search|sousuo|so\b|so\.|query|jsearch|was5|jrobot|igs|检索|搜索", re.I)
_SCRIPT_SEARCH = re.compile(
    r"""['"]([^'"\s]*(?:search|sousuo|/so[/.]|so\.html|query|was5|jrobot)[^'"\s]*[?&]([A-Za-z_]+)=)['"]\s*\+""",
    re.I,
)


@dataclass(frozen=True)
class SearchForm:
    """A GET search: where it goes, the field taking the words, and the other fields it sends."""

    action: str
    field: str
    params: tuple[tuple[str, str], ...] = ()
    charset: str = "utf-8"


def find_search_form(page: Page, *, charset: str = "utf-8") -> SearchForm | None:
    """The page's search (form or script), if it has one that works with GET."""
    forms = page.selector.xpath("//form")
    best: tuple[int, SearchForm] | None = None
    for form in forms:
        method = (form.attrib.get("method") or "get").strip().lower()
        if method != "get":
            continue
        try:
            action = urljoin(page.base_url(), (form.attrib.get("action") or "").strip() or page.url)
            if urlsplit(action).scheme not in ("http", "https"):
                continue
        except ValueError:
            continue  # not a URL
        text_inputs: list[str] = []
        params: list[tuple[str, str]] = []
        for node in form.xpath(".//input[@name]|.//select[@name]"):
            name = node.attrib["name"].strip()
            kind = (node.attrib.get("type") or "text").strip().lower()
            if node.root.tag == "select":
                value = node.xpath("./option[@selected]/@value").get() or node.xpath("./option/@value").get() or ""
                params.append((name, value))
            elif kind in ("text", "search", ""):
                text_inputs.append(name)
            elif kind == "hidden":
                params.append((name, node.attrib.get("value", "")))
        if not text_inputs:
            continue
        chosen = _query_field(text_inputs)
        params += [(name, "") for name in text_inputs if name != chosen]
        accept = (form.attrib.get("accept-charset") or charset).split()[0].split(",")[0]
        candidate = SearchForm(action, chosen, tuple(params), accept)
        score = _score(form.get(), action, chosen)
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is not None and best[0] > 0:
        return best[1]
    return _from_script(page, charset)


def _query_field(names: list[str]) -> str:
    for wanted in _QUERY_NAMES:
        for name in names:
            if name.lower() == wanted:
                return name
    return names[0]


def _score(form_html: str, action: str, field_name: str) -> int:
    """How much a form looks like the site search (a login or comment form scores 0)."""
    score = 0
    if _SEARCH_HINT.search(action):
        score += 2
    if field_name.lower() in _QUERY_NAMES:
        score += 2
    if _SEARCH_HINT.search(form_html):
        score += 1
    return score


def _from_script(page: Page, charset: str) -> SearchForm | None:
    match = _SCRIPT_SEARCH.search(page.scripts())
    if match is None:
        return None
    prefix = match.group(1)
    action, _, query = prefix.partition("?")
    params = [(k, v) for k, _, v in (p.partition("=") for p in query.split("&") if p) if k != match.group(2)]
    try:
        return SearchForm(urljoin(page.base_url(), action), match.group(2), tuple(params), charset)
    except ValueError:
        return None


def search_urls(form: SearchForm, terms: tuple[str, ...] = SEARCH_TERMS) -> list[str]:
    """One GET URL per term, encoded as the site expects."""
    encoding = _codec(form.charset)
    urls: list[str] = []
    for term in terms:
        pairs = [*form.params, (form.field, term)]
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='', encoding=encoding)}" for k, v in pairs)
        base = form.action.split("#")[0]
        joiner = "&" if "?" in base else "?"
        urls.append(f"{base}{joiner}{query}")
    return urls


def _codec(charset: str) -> str:
    lowered = charset.lower()
    if lowered in ("gb2312", "gbk", "gb18030", "x-gbk"):
        return "gb18030"
    try:
        "".encode(lowered)
    except LookupError:
        return "utf-8"
    return lowered
