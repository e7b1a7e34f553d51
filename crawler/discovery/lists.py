"""Adapters for list pages whose items are not plain links.

(List paging of every spelling, TRS ``createPageHTML`` included, is in ``paging``.)

* Hanweb (大汉) jpage: the list comes from a POST to ``/module/web/jpage/dataproxy.jsp`` with the
  column's parameters, answered as ``<datastore><recordset><record><![CDATA[<li>…]]>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

_DATAPROXY = re.compile(r"""['"]?([^'"\s]*dataproxy\.jsp[^'"\s]*)['"]?""", re.I)
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
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)


@dataclass(frozen=True)
class JpageQuery:
    """What a Hanweb jpage list needs to be asked for its records."""

    proxy_url: str
    fields: dict[str, str]
    per_page: int = 15
    group_size: int = 45


def find_jpage(page_url: str, html: str) -> JpageQuery | None:
    """The jpage data-proxy query embedded in a Hanweb column page, if any."""
    proxy = _DATAPROXY.search(html)
    if proxy is None:
        return None
    proxy_path = proxy.group(1).split("?")[0]
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
    """Split a ``<datastore>`` answer into its record snippets."""
    total_match = _TOTAL.search(body)
    return JpageGroup(
        records=[m.group(1) for m in _RECORD.finditer(body)],
        total=int(total_match.group(1)) if total_match else None,
    )
