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
from storage.read.readonly import ReadOnlyDB


@dataclass
class WebContext:
    """The app's shared state (one per app)."""

    db: ReadOnlyDB
    queries: Queries
    archive_dir: Path | None

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

    return {
        "total": total, "limit": limit, "offset": offset,
        "next": url(limit=limit, offset=offset + limit) if offset + limit < total else None,
        "prev": url(limit=limit, offset=max(0, offset - limit)) if offset > 0 else None,
        "csv": url(format="csv"),
    }


def with_session(ctx: WebContext, make: Any, *args: Any) -> Any:
    """``make(session, *args)`` in a short read-only session."""
    session: Session
    with ctx.session() as session:
        return make(session, *args)
