"""Adapters for list pages whose items are not plain links.

(List paging of every spelling, TRS ``createPageHTML`` included, is in ``paging``.)

* Hanweb (大汉) jpage: the list comes from a POST to ``/module/web/jpage/dataproxy.jsp`` with the
  column's parameters, answered as ``<datastore><recordset><record><![CDATA[<li>…]]>``.

Hostile pages: every function here runs in time linear in its input (no regex that
backtracks over a long run of characters) and reads at most :data:`MAX_SCAN_CHARS`
characters; a data-proxy answer gives at most :data:`MAX_RECORDS` records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

_DATAPROXY = re.compile(r"dataproxy\.jsp", re.I)
_TOKEN_RIGHT = re.compile(r"""[^'"\s]*""")
#: The longest proxy URL read around ``dataproxy.jsp`` (each side).
_MAX_TOKEN = 2048
_JPAGE_FIELDS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)
_FIELD_VALUE = r"""(?<![\w$.])['"]?{name}['"]?\s*[:=]\s*['"]?([^'",}}\s&]*)"""
_PER_PAGE = re.compile(r"""['"]?perpage['"]?\s*[:=]\s*['"]?(\d+)""", re.I)
_RECORD_START = re.compile(r"<record>\s*<!\[CDATA\[", re.I)
_RECORD_END = re.compile(r"\]\]>\s*</record>", re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
#: Characters of a page (or data-proxy answer) the adapters read; the rest is ignored.
MAX_SCAN_CHARS = 2_000_000
#: Records read from one data-proxy answer.
MAX_RECORDS = 1000


@dataclass(frozen=True)
class JpageQuery:
    """What a Hanweb jpage list needs to be asked for its records."""

    proxy_url: str
    fields: dict[str, str]
    per_page: int = 15
    group_size: int = 45


def find_jpage(page_url: str, html: str) -> JpageQuery | None:
    """The jpage data-proxy query embedded in a Hanweb column page, if any."""
    html = html[:MAX_SCAN_CHARS]
    proxy_url = _proxy_token(html)
    if proxy_url is None:
        return None
    proxy_path = proxy_url.split("?")[0]
    fields: dict[str, str] = {}
    for name in _JPAGE_FIELDS:
        match = re.search(_FIELD_VALUE.format(name=name), html)
        if match:
            fields[name] = match.group(1)
    if "columnid" not in fields and "col" not in fields:
        return None
    per_page_match = _PER_PAGE.search(html)
    per_page = int(per_page_match.group(1)) if per_page_match else 15
    return JpageQuery(urljoin(page_url, proxy_path), fields, per_page, per_page * 3)


def _proxy_token(html: str) -> str | None:
    """The quoted or space-delimited token around the first ``dataproxy.jsp`` (bounded)."""
    found = _DATAPROXY.search(html)
    if found is None:
        return None
    begin = found.start()
    floor = max(0, begin - _MAX_TOKEN)
    while begin > floor and not _is_delimiter(html[begin - 1]):
        begin -= 1
    right = _TOKEN_RIGHT.match(html, found.end(), found.end() + _MAX_TOKEN)
    assert right is not None  # the pattern matches the empty string
    return html[begin:found.start()] + found.group(0) + right.group(0)


def _is_delimiter(char: str) -> bool:
    return char in "'\"" or char.isspace()


def jpage_group_url(query: JpageQuery, start: int) -> str:
    """The data-proxy URL for the group of records beginning at ``start`` (1-based)."""
    end = start + query.group_size - 1
    return f"{query.proxy_url}?startrecord={start}&endrecord={end}&perpage={query.per_page}"


@dataclass(frozen=True)
class JpageGroup:
    """One answer of the data proxy: the records' HTML snippets and the total, if stated."""

    records: list[str]
    total: int | None


def parse_jpage_response(body: str) -> JpageGroup:
    """Split a ``<datastore>`` answer into its record snippets (one pass, at most
    :data:`MAX_RECORDS`)."""
    body = body[:MAX_SCAN_CHARS]
    total_match = _TOTAL.search(body)
    records: list[str] = []
    position = 0
    while len(records) < MAX_RECORDS:
        start = _RECORD_START.search(body, position)
        if start is None:
            break
        end = _RECORD_END.search(body, start.end())
        if end is None:  # an unterminated record: nothing more to read
            break
        records.append(body[start.end():end.start()])
        position = end.end()
    return JpageGroup(records=records, total=int(total_match.group(1)) if total_match else None)
