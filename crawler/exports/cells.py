"""Spreadsheet cells that cannot run: the one rule against formula (CSV) injection.

OWASP's guidance: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel, LibreOffice and Google Sheets when the CSV is opened.
Such text gets a leading apostrophe. Only text is touched: a number (``-3``) stays a number.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """``value`` unchanged, except text a spreadsheet would run, which gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
