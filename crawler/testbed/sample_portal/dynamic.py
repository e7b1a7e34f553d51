"""Bodies built per request: the endless calendar and the Hanweb jpage data proxy answer."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from html import escape

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
DEFAULT_MONTH = (2024, 6)


def calendar_page(month: str | None) -> bytes:
    """One month of the activity calendar, linking to the months before and after, forever."""
    year, mon = DEFAULT_MONTH
    match = _MONTH.match(month or "")
    if match and 1 <= int(match.group(2)) <= 12:
        year, mon = int(match.group(1)), int(match.group(2))
    prev_y, prev_m = (year - 1, 12) if mon == 1 else (year, mon - 1)
    next_y, next_m = (year + 1, 1) if mon == 12 else (year, mon + 1)
    days = calendar.monthrange(year, mon)[1]
    cells = "".join(f"<td>{d}</td>" + ("</tr><tr>" if d % 7 == 0 else "") for d in range(1, days + 1))
    html = (
        f'<html><head><meta charset="utf-8"><title>活动日历 {year}年{mon}月</title></head><body>'
        f"<h2>活动日历 {year}年{mon}月</h2><table><tr>{cells}</tr></table>"
        f'<a href="/calendar/index.html?month={prev_y}-{prev_m:02d}">上个月</a> '
        f'<a href="/calendar/index.html?month={next_y}-{next_m:02d}">下个月</a>'
        "</body></html>"
    )
    return html.encode("utf-8")


def jpage_answer(records: Sequence[str], start: int, end: int, proxy: str, fields: dict[str, str]) -> bytes:
    """The data proxy's ``<datastore>`` for records ``start``..``end`` (1-based, inclusive)."""
    start = max(1, start)
    chosen = records[start - 1:max(start - 1, end)]
    nextgroup = ""
    if end < len(records):
        query = "&".join(f"{k}={escape(v)}" for k, v in sorted(fields.items()))
        nextgroup = f'<a href="{proxy}?startrecord={end + 1}&amp;{query}"></a>'
    body = "".join(f"<record><![CDATA[{snippet}]]></record>\n" for snippet in chosen)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
        f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{body}</recordset>\n</datastore>\n"
    )
    return xml.encode("utf-8")
