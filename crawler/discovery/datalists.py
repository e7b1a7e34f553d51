"""Lists built by JavaScript: find the data request in a column page's scripts, read the answer.

A column whose ``<ul>`` is empty in the HTML usually fills it from a data API:
``$.ajax({url, type, data})``, ``$.getJSON``/``$.get``/``$.post``, ``fetch(url, {method,
body})``, ``axios``, ``xhr.open(method, url)``, JSONP. :func:`find_data_queries` reads those
calls (URL, method, parameters; names resolved through the page's ``var`` assignments).
:func:`parse_data_answer` reads a JSON, JSONP or XML answer: the records that carry a title
and a link (and often a date) whatever the key names, and the paging figures (``total``,
``totalPage``, ``pageNo``, ``pageSize``…). :meth:`DataQuery.for_page` names the next page.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import unquote, urlencode, urljoin, urlsplit, urlunsplit

from crawler.discovery.pages import Link, Page, parse_date
from crawler.discovery.scripts import (
    as_int,
    balanced,
    evaluate,
    object_pairs,
    script_variables,
    split_arguments,
    split_concatenation,
)
from crawler.discovery.urls import PAGE_PARAMS
from crawler.reports.titles import normalize_space

_CALLS = re.compile(
    r"(?:\$|jQuery)\s*\.\s*(ajax|getJSON|get|post)\s*\(|\bfetch\s*\(|\baxios(?:\s*\.\s*(get|post))?\s*\(|"
    r"\.open\s*\(\s*['\"](GET|POST)['\"]\s*,",
    re.I,
)
_OFFSET_PARAMS = ("start", "offset", "startrecord", "startRecord", "begin", "from")
_SIZE_PARAMS = ("pagesize", "page_size", "size", "limit", "rows", "perpage", "per_page", "pagecount",
                "num", "ps", "length")
_NOT_DATA = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|ttf)(?:$|\?)|hm\.baidu|cnzz|google", re.I)
#: Requests that are not lists: visit counters, statistics, logins, comments, weather…
_NOT_A_LIST = re.compile(
    r"visit|count(?!ry)|click|hits?\b|stat|/log|track|login|logout|user|captcha|verify|comment|vote|share|"
    r"weather|favorite|score|online", re.I)
#: Words of list APIs (a request without a page parameter must have one of them).
_LIST_WORDS = re.compile(r"list|page|query|search|column|channel|article|info|doc|data|content|catalog|"
                         r"lm|xxgk|gk|record|item|news|nb|report", re.I)
_TITLE_KEY = re.compile(r"title|^name$|subject|^bt$|wjbt|^mc$|^label$|标题|headline|caption", re.I)
_LINK_KEY = re.compile(r"url|link|href|path|^src$|address|lj$", re.I)
_DATE_KEY = re.compile(r"date|time|^rq$|fbrq|fbsj|publish|pubdate|created|^day$", re.I)
_LINKLIKE = re.compile(r"^(?:https?://|/|\./|\.\./)|\.(?:s?html?|pdf|docx?|wps|jsp|aspx?|php)(?:$|[?#])", re.I)
_TAG = re.compile(r"<[^>]+>")
_TOTAL_KEYS = ("total", "totalcount", "totalrecord", "totalrecords", "recordcount", "totalelements",
               "totalnum", "totalsize", "rowcount", "totalrow", "totalrows", "count", "allcount")
_PAGES_KEYS = ("totalpage", "totalpages", "pagecount", "pages", "pagetotal", "totalpagenum", "lastpage",
               "pagenums", "allpage")
_JSONP = re.compile(r"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.S)
_HREF_TEMPLATE = re.compile(
    r"""['"]([^'"]*?)['"]\s*\+\s*[\w$]+(?:\.([\w$]+)|\[\s*['"]([\w$]+)['"]\s*\])\s*\+\s*['"]([^'"]*)['"]"""
)


@dataclass(frozen=True)
class DataQuery:
    """One data request a list page makes, with where its page number goes."""

    url: str
    method: str = "GET"
    params: dict[str, str] = field(default_factory=dict)
    json_body: bool = False
    #: The parameter carrying the page number (or the record offset when ``offset`` is set).
    page_param: str | None = None
    offset: bool = False
    page_size: int | None = None
    page: int = 1

    def for_page(self, page: int) -> DataQuery:
        """The same query asking for page ``page`` (1-based)."""
        if self.page_param is None:
            return replace(self, page=page)
        params = dict(self.params)
        if self.offset:
            size = self.page_size or 10
            base = as_int(self.params.get(self.page_param)) or 0
            params[self.page_param] = str(base + (page - self.page) * size)
        else:
            first = as_int(self.params.get(self.page_param))
            start = first if first is not None else 1
            params[self.page_param] = str(start + page - self.page)
        return replace(self, params=params, page=page)


@dataclass(frozen=True)
class DataRecord:
    """One item of a data list: where it leads, its title, its date."""

    url: str
    title: str
    published_on: date | None = None


@dataclass(frozen=True)
class DataAnswer:
    """What one answer of a data API holds."""

    records: list[DataRecord]
    total: int | None = None
    total_pages: int | None = None
    page_size: int | None = None
    #: The page-number key the answer itself uses (``pageNo``…), when it names one.
    page_key: str | None = None

    def has_page_after(self, query: DataQuery) -> bool:
        """Whether the list has a page after ``query``'s (how far to read is the caller's
        ceiling)."""
        if not self.records:
            return False
        if self.total_pages is not None:
            return query.page < self.total_pages
        size = query.page_size or self.page_size or len(self.records)
        if self.total is not None and size:
            return query.page * size < self.total
        return query.page_param is not None and len(self.records) >= (query.page_size or 1)


def find_data_queries(page: Page) -> list[DataQuery]:
    """The data requests a list page's inline scripts make, in order of appearance."""
    scripts = page.scripts()
    variables = script_variables(scripts)
    found: dict[tuple[str, str, str], DataQuery] = {}
    for match in _CALLS.finditer(scripts):
        query = _read_call(page.url, scripts, match, variables)
        if query is None:
            continue
        key = (query.method, query.url, json.dumps(query.params, sort_keys=True))
        found.setdefault(key, query)
    return list(found.values())


def _read_call(url: str, scripts: str, match: re.Match[str], variables: dict[str, str]) -> DataQuery | None:
    open_at = match.end() - 1 if match.group(0).endswith("(") else scripts.find("(", match.start())
    if match.group(3):  # xhr.open('GET', url, …)
        rest = scripts[match.end():match.end() + 400]
        target_args = split_arguments(rest.split(")", 1)[0])
        if not target_args:
            return None
        return _query(url, evaluate_url(target_args[0], variables), match.group(3).upper(), {}, False)
    body = balanced(scripts, open_at)
    if body is None:
        return None
    args = split_arguments(body)
    if not args:
        return None
    kind = (match.group(1) or match.group(2) or "").lower()
    if kind == "ajax" or (args[0].startswith("{") and not kind):
        options = dict(object_pairs(args[0].strip()[1:-1])) if args[0].startswith("{") else {}
        if not options and len(args) > 1 and args[1].strip().startswith("{"):
            options = dict(object_pairs(args[1].strip()[1:-1]))
            options.setdefault("url", args[0])
        method = (evaluate(options.get("type", options.get("method", "'GET'")), variables) or "GET").upper()
        json_body = "json.stringify" in options.get("data", "").lower() or "application/json" in options.get(
            "contentType", "").lower()
        return _query(url, evaluate_url(options.get("url", ""), variables), method,
                      _params(options.get("data", ""), variables), json_body)
    target = evaluate_url(args[0], variables)
    if "fetch" in match.group(0).lower():
        options = dict(object_pairs(args[1].strip()[1:-1])) if len(args) > 1 and args[1].strip().startswith(
            "{") else {}
        method = (evaluate(options.get("method", "'GET'"), variables) or "GET").upper()
        body = options.get("body", "")
        json_body = "json.stringify" in body.lower()
        return _query(url, target, method, _params(body, variables), json_body)
    method = "POST" if kind == "post" else "GET"
    data = args[1] if len(args) > 1 and args[1].strip().startswith(("{", "JSON")) else ""
    if kind == "" and len(args) > 1:  # axios(url, {params}) / axios.get(url, {params: {...}})
        options = dict(object_pairs(args[1].strip()[1:-1])) if args[1].strip().startswith("{") else {}
        data = options.get("params", options.get("data", data))
    return _query(url, target, method, _params(data, variables), False)


def evaluate_url(expr: str, variables: dict[str, str]) -> str | None:
    """A URL expression; an unknown name in it becomes ``{page}`` when it reads as a page number."""
    pieces = split_concatenation(expr)
    out: list[str] = []
    for piece in pieces:
        value = evaluate(piece, variables)
        if value is None:
            name = piece.strip().rsplit(".", 1)[-1]
            if name.lower() in PAGE_PARAMS or name.lower() in ("n", "i", "index", "pageno", "num"):
                value = "{page}"
            else:
                return None
        out.append(value)
    return "".join(out) or None


def _params(data: str, variables: dict[str, str]) -> dict[str, str]:
    data = data.strip()
    if data.lower().startswith("json.stringify"):
        inner = data[data.find("(") + 1:data.rfind(")")].strip()
        data = inner
        if not data.startswith("{"):
            data = "{" + ",".join(f"{k}:{v}" for k, v in object_pairs(variables.get(data, ""))) + "}"
    if not data.startswith("{"):
        value = evaluate(data, variables)
        if value and "=" in value:
            return dict(part.partition("=")[::2] for part in value.split("&") if part)
        return {}
    params: dict[str, str] = {}
    for key, expr in object_pairs(data[1:-1]):
        value = evaluate(expr, variables)
        if value is None:
            lowered = key.lower()
            if lowered in PAGE_PARAMS:
                value = "1"
            elif lowered in _OFFSET_PARAMS:
                value = "0"
            else:
                continue
        params[key] = value
    return params


def _query(page_url: str, target: str | None, method: str, params: dict[str, str],
           json_body: bool) -> DataQuery | None:
    if not target or _NOT_DATA.search(target) or target.startswith(("javascript:", "#")):
        return None
    try:
        absolute = urljoin(page_url, target)
        split = urlsplit(absolute)
    except ValueError:
        return None  # not a URL (an unbalanced IPv6 bracket…)
    if split.scheme not in ("http", "https"):
        return None
    if absolute.split("#")[0] == page_url.split("#")[0]:
        return None
    page_param: str | None = None
    offset = False
    if method == "GET" and split.query:
        # the URL's own parameters join the query's, so the page number can be changed
        from_url = {k: unquote(v) for k, _, v in (p.partition("=") for p in split.query.split("&") if p)}
        params = {**from_url, **params}
        absolute = urlunsplit((split.scheme, split.netloc, split.path, "", ""))
    for key, value in list(params.items()):
        if value == "{page}":
            page_param = key
            params[key] = "1"
    absolute = absolute.replace("{page}", "1")
    for key in params:
        if page_param is None and key.lower() in PAGE_PARAMS:
            page_param = key
    if page_param is None:
        for key in params:
            if key in _OFFSET_PARAMS or key.lower() in (p.lower() for p in _OFFSET_PARAMS):
                page_param, offset = key, True
                break
    path = urlsplit(absolute).path
    if _NOT_A_LIST.search(path):
        return None
    if page_param is None and not _LIST_WORDS.search(path + " " + " ".join(params)):
        return None
    size = next((as_int(v) for k, v in params.items() if k.lower() in _SIZE_PARAMS and as_int(v)), None)
    page = 1
    return DataQuery(absolute, method if method in ("GET", "POST") else "GET", params, json_body, page_param,
                     offset, size, page)


# -- answers ------------------------------------------------------------------------------------

def parse_data_answer(body: str, base_url: str, *, scripts: str = "") -> DataAnswer:
    """Records and paging figures of a JSON, JSONP or XML answer (nothing when it is neither).

    ``scripts`` (the list page's) lets a record that has an id but no link be linked the way
    the page's own script would (``'<a href="detail.html?id=' + item.id + '"'``).
    """
    data = _load(body)
    if data is None:
        return DataAnswer([])
    templates = _href_templates(scripts)
    best: list[DataRecord] = []
    for items in _lists(data):
        records = [r for r in (_record(item, base_url, templates) for item in items) if r is not None]
        if len(records) > len(best):
            best = records
    figures = _figures(data)
    return DataAnswer(best, figures.get("total"), figures.get("pages"), figures.get("size"),
                      figures.get("page_key"))  # type: ignore[arg-type]


def _load(body: str) -> Any:
    text = body.strip().lstrip("\ufeff")
    if not text:
        return None
    if text[0] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            return None
    jsonp = _JSONP.match(text)
    if jsonp and jsonp.group(1)[:1] in "[{":
        try:
            return json.loads(jsonp.group(1))
        except ValueError:
            return None
    if text.startswith("<") and not text[:200].lower().lstrip().startswith(("<!doctype html", "<html")):
        try:
            return _xml_to_data(ET.fromstring(text.encode("utf-8")))
        except ET.ParseError:
            return None
    return None


def _xml_to_data(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    tags = [child.tag for child in children]
    if len(children) > 1 and len(set(tags)) == 1:
        return [_xml_to_data(child) for child in children]
    result: dict[str, Any] = {}
    for child in children:
        value = _xml_to_data(child)
        if child.tag in result:
            existing = result[child.tag]
            result[child.tag] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            result[child.tag] = value
    return result


def _lists(data: Any, depth: int = 0) -> list[list[dict[str, Any]]]:
    """Every list of objects anywhere in ``data``."""
    if depth > 8:
        return []
    found: list[list[dict[str, Any]]] = []
    if isinstance(data, list):
        objects = [item for item in data if isinstance(item, dict)]
        if objects:
            found.append(objects)
        for item in data:
            found += _lists(item, depth + 1)
    elif isinstance(data, dict):
        for value in data.values():
            found += _lists(value, depth + 1)
    return found


def _record(item: dict[str, Any], base_url: str, templates: list[tuple[str, str, str]]) -> DataRecord | None:
    title = link = ""
    when: date | None = None
    for key, value in item.items():
        if not isinstance(value, (str, int)):
            continue
        text = str(value).strip()
        if not title and _TITLE_KEY.search(key) and len(_TAG.sub("", text)) >= 4:
            title = text
        elif not link and _LINK_KEY.search(key) and _LINKLIKE.search(text):
            link = text
        elif when is None and _DATE_KEY.search(key):
            when = parse_date(text)
    if title and "<a " in title.lower():
        snippet = Page(base_url, f"<html><body>{title}</body></html>").links()
        if snippet:
            return DataRecord(snippet[0].url, snippet[0].text or normalize_space(_TAG.sub("", title)), when)
    if not link:
        for prefix, key, suffix in templates:
            if key in item and isinstance(item[key], (str, int)):
                link = f"{prefix}{item[key]}{suffix}"
                break
    if not link:
        for value in item.values():
            if isinstance(value, str) and "<a " in value.lower():
                snippet = Page(base_url, f"<html><body>{value}</body></html>").links()
                if snippet:
                    link = snippet[0].url
                    title = title or snippet[0].text
                    break
    if not title or not link:
        return None
    return DataRecord(urljoin(base_url, link), normalize_space(_TAG.sub("", title)), when)


def _href_templates(scripts: str) -> list[tuple[str, str, str]]:
    """``'…href="detail.html?id=' + item.id + '"'`` -> ("detail.html?id=", "id", "")."""
    templates: list[tuple[str, str, str]] = []
    for match in _HREF_TEMPLATE.finditer(scripts):
        prefix = match.group(1)
        href = re.search(r"""(?:href|src)\s*=\s*\\?['"]?([^'"]*)$""", prefix)
        if href is None:
            if not _LINKLIKE.search(prefix):
                continue
            start = prefix
        else:
            start = href.group(1)
        suffix = re.split(r"""\\?['"\s>]""", match.group(4), maxsplit=1)[0]
        templates.append((start, match.group(2) or match.group(3), suffix))
    return templates


def _figures(data: Any) -> dict[str, Any]:
    """total / pages / size / page_key found in the objects of the answer's top levels."""
    figures: dict[str, Any] = {}
    queue: list[tuple[Any, int]] = [(data, 0)]
    while queue:
        node, depth = queue.pop(0)
        if not isinstance(node, dict) or depth > 3:
            continue
        for key, value in node.items():
            lowered = key.lower()
            number = as_int(str(value)) if isinstance(value, (int, str)) else None
            if number is not None:
                if lowered in _TOTAL_KEYS:
                    figures.setdefault("total", number)
                elif lowered in _PAGES_KEYS:
                    figures.setdefault("pages", number)
                elif lowered in _SIZE_PARAMS:
                    figures.setdefault("size", number)
                elif lowered in PAGE_PARAMS:
                    figures.setdefault("page_key", key)
            elif isinstance(value, dict):
                queue.append((value, depth + 1))
    return figures


def request_parts(query: DataQuery) -> tuple[str, str, bytes | None, dict[str, str]]:
    """(url, method, body, headers) of the HTTP request ``query`` makes."""
    if query.method == "GET":
        encoded = urlencode(query.params)
        joiner = "&" if "?" in query.url else "?"
        return (query.url + joiner + encoded if encoded else query.url), "GET", None, {}
    if query.json_body:
        body = json.dumps(query.params, ensure_ascii=False).encode("utf-8")
        return query.url, "POST", body, {"Content-Type": "application/json;charset=UTF-8"}
    return (query.url, "POST", urlencode(query.params).encode("utf-8"),
            {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})


def links_of(answer: DataAnswer) -> list[Link]:
    """The answer's records as links (URL and title)."""
    return [Link(record.url, record.title) for record in answer.records]
