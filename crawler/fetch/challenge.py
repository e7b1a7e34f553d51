"""Recognise anti-bot challenge pages (WAF interstitials), which are never archived as content."""

from __future__ import annotations

import re

CHALLENGE_STATUSES = frozenset({412, 521})
_MARKERS = re.compile(
    rb"__jsl_clearance|jsl_clearance_s|_waf_|waf\.js|cdn-cgi/challenge|cf-chl|"
    rb"document\.cookie\s*=.{0,200}location\.(?:href|reload)|"
    rb"\xe5\xae\x89\xe5\x85\xa8\xe9\xaa\x8c\xe8\xaf\x81|"  # 安全验证 (UTF-8)
    rb"\xb0\xb2\xc8\xab\xd1\xe9\xd6\xa4|"  # 安全验证 (GBK)
    rb"please enable javascript|verify you are human|acw_sc__v2|yunsuo_session",
    re.I | re.S,
)


def challenge_reason(status: int, body: bytes) -> str | None:
    """Why a response is a challenge page (None when it is ordinary content)."""
    if status in CHALLENGE_STATUSES:
        return f"HTTP {status} challenge page"
    if len(body) < 20_000 and _MARKERS.search(body):
        return "WAF challenge page (script-gated content)"
    return None
