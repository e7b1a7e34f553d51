"""ETags on the JSON API: a digest of the body, and ``304 Not Modified`` on ``If-None-Match``.

The archive changes only when a crawl writes to it, so a client polling a list or a report
gets an empty 304 as long as the answer would be byte-for-byte the same (RFC 9110, 8.8.3
and 13.1.2). Only ``/api/`` answers of type JSON are tagged; CSV downloads stream unbuffered.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/api/"


def etag_of(body: bytes) -> str:
    """A strong entity tag for ``body``."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str, tag: str) -> bool:
    """Whether an ``If-None-Match`` value names ``tag`` (weak comparison, ``*`` matches)."""
    candidates = [c.strip() for c in if_none_match.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == tag for c in candidates)


class ETagMiddleware:
    """ASGI middleware: tag ``GET /api/…`` JSON answers; answer 304 when the client has it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or \
                not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        wanted = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []

        async def tag(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                if message["status"] != 200 or \
                        not headers.get("content-type", "").startswith("application/json"):
                    await send(message)
                    return
                start = message
                return
            if start is None:  # passing through
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            etag = etag_of(body)
            headers = MutableHeaders(raw=list(start["headers"]))
            headers["ETag"] = etag
            headers["Cache-Control"] = "no-cache"
            if wanted is not None and matches(wanted, etag):
                del headers["content-length"]
                if "content-type" in headers:
                    del headers["content-type"]
                await send({"type": "http.response.start", "status": 304,
                            "headers": headers.raw})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, tag)
