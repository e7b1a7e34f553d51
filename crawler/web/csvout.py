"""CSV downloads of lists: UTF-8 with a byte-order mark (Excel reads Chinese), streamed.

Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or CR; :mod:`crawler.exports.cells`) get a
leading apostrophe, so a hostile crawled title cannot execute in Excel.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from fastapi.responses import StreamingResponse

from crawler.exports.cells import neutralize

BOM = "\ufeff"


def cell(value: Any) -> str:
    """One CSV cell's text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, str):
        return str(neutralize(value))
    return str(value)


def csv_lines(rows: Iterable[dict[str, Any]], columns: list[str]) -> Iterator[bytes]:
    """The CSV document in chunks: BOM and header first, then about 200 rows a chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        writer.writerow([cell(row.get(c)) for c in columns])
        if n % 200 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_response(rows: Iterable[dict[str, Any]], columns: list[str], name: str) -> StreamingResponse:
    """A streamed CSV download named ``name``.csv (``name`` is ours, never crawled text)."""
    return StreamingResponse(
        csv_lines(rows, columns), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
