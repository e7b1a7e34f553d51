"""Absolute links in JSON answers: our paths prefixed with the request's base URL.

Rows carry paths (``/reports/7``) so the HTML pages stay host-independent; the API turns
each path under a link key into ``http://host:port/reports/7`` for the host the client
asked (behind a proxy: what the proxy headers say). Government URLs are already absolute
and are left alone.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

#: Keys whose value is one of our paths.
LINK_KEYS = frozenset({"url", "api_url", "content_url", "diff_url", "report_url",
                       "captures_url", "next", "prev", "csv"})


def base_url(request: Request) -> str:
    """The request's base URL without a trailing slash (``http://127.0.0.1:8700``)."""
    return str(request.base_url).rstrip("/")


def absolute(value: Any, base: str) -> Any:
    """``value`` with every path under a link key (at any depth) made absolute."""
    if isinstance(value, dict):
        return {k: (base + v if k in LINK_KEYS and isinstance(v, str) and v.startswith("/")
                    and not v.startswith("//") else absolute(v, base))
                for k, v in value.items()}
    if isinstance(value, list):
        return [absolute(v, base) for v in value]
    return value
