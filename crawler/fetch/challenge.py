"""Recognise anti-bot challenge pages (WAF interstitials), which are never archived as content."""

from __future__ import annotations

import re

CHALLENGE_STATUSES = frozenset({412, 521})
#: Markers of script-gated content, lower case, found with ``in`` in the lowered body (one
#: pass each in C: a case-insensitive alternation tried at every byte cost 1% of a crawl's CPU).
_MARKERS: tuple[bytes, ...] = (
    b"__jsl_clearance", b"jsl_clearance_s", b"_waf_", b"waf.js", b"cdn-cgi/challenge", b"cf-chl",
    "安全验证".encode(), "安全验证".encode("gbk"),
    b"please enable javascript", b"verify you are human", b"acw_sc__v2", b"yunsuo_session",
)
#: A script that sets a cookie and reloads: looked for only when ``document.cookie`` is there.
_COOKIE_RELOAD = re.compile(rb"document\.cookie\s*=.{0,200}location\.(?:href|reload)", re.S)


def challenge_reason(status: int, body: bytes) -> str | None:
    """Why a response is a challenge page (None when it is ordinary content)."""
    if status in CHALLENGE_STATUSES:
        return f"HTTP {status} challenge page"
    if len(body) < 20_000 and _is_gated(body.lower()):
        return "WAF challenge page (script-gated content)"
    return None


def _is_gated(lowered: bytes) -> bool:
    if any(marker in lowered for marker in _MARKERS):
        return True
    return b"document.cookie" in lowered and _COOKIE_RELOAD.search(lowered) is not None
