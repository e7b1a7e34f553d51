"""What every request handler needs: the read-only database, the queries, the archive."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy.orm import Session

from crawler.web.queries import Queries
from storage.objects import BlobStore
from storage.read.readonly import ReadOnlyDB


@dataclass
class WebContext:
    """The app's shared state (one per app)."""

    db: ReadOnlyDB
    queries: Queries
    archive_dir: Path | None
    #: The blobs of an object-store archive (``s3://…``); None: files under ``archive_dir``.
    blobs: BlobStore | None = None
    #: The app's public address (``[alerts] base_url``), for links that leave the page (the
    #: Atom feed); None: the URL the request was sent to.
    public_url: str | None = None

    def session(self) -> Any:
        """A read-only session (context manager)."""
        return self.db.session()

    def stream(self, make: Any, *args: Any) -> Iterator[dict[str, Any]]:
        """Rows of ``make(session, *args)`` with a session held open while they stream."""
        with self.db.session() as session:
            yield from make(session, *args)


def context(request: Request) -> WebContext:
    """The :class:`WebContext` of the app serving ``request`` (a FastAPI dependency)."""
    ctx: WebContext = request.app.state.web
    return ctx


def page_links(path: str, params: dict[str, Any], total: int, limit: int,
               offset: int) -> dict[str, Any]:
    """``total/limit/offset`` and the next, previous and CSV URLs of a list page."""
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    kept = {k: ("true" if v is True else v) for k, v in kept.items()}

    def url(**extra: Any) -> str:
        query = urlencode({**kept, **extra})
        return f"{path}?{query}" if query else path

    current = offset // limit + 1
    pages: list[dict[str, Any]] = []
    for number in page_numbers(current, max(1, -(-total // limit))):
        if number is None:
            pages.append({"number": None, "url": None, "current": False})
        else:
            pages.append({"number": number, "url": url(limit=limit, offset=(number - 1) * limit),
                          "current": number == current and offset % limit == 0})
    return {
        "total": total, "limit": limit, "offset": offset,
        "next": url(limit=limit, offset=offset + limit) if offset + limit < total else None,
        "prev": url(limit=limit, offset=max(0, offset - limit)) if offset > 0 else None,
        "csv": url(format="csv"), "pages": pages if total > limit else [],
    }


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and ``around`` either side of ``current``;
    None where a run of pages is left out (1 … 4 5 6 7 8 … 20)."""
    wanted = {1, last, *range(current - around, current + around + 1)}
    shown = sorted(n for n in wanted if 1 <= n <= last)
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) == 2:
            out.append(n - 1)  # a gap of one page: show the page, not an ellipsis
        elif out and n - (out[-1] or 0) > 2:
            out.append(None)
        out.append(n)
    return out


def with_session(ctx: WebContext, make: Any, *args: Any, **kwargs: Any) -> Any:
    """``make(session, *args, **kwargs)`` in a short read-only session."""
    session: Session
    with ctx.session() as session:
        return make(session, *args, **kwargs)
