"""The FastAPI application: pages, the JSON API, the Atom feed and the originals, read-only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from crawler.archive.stores import open_archive_storage
from crawler.errors import GovreportsError
from crawler.reports.changes import Deadlines
from crawler.version import software_version
from crawler.web import api, pages
from crawler.web.context import WebContext
from crawler.web.etag import ETagMiddleware
from crawler.web.head import HeadAsGet
from crawler.web.queries import Queries
from storage.read.readonly import ReadOnlyDB
from storage.s3 import is_object_url

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Our own pages run no script at all and load nothing from elsewhere.
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
DESCRIPTION = """Read-only access to the govreports archive of 政府信息公开工作年度报告:
reports with their parsed tables and consistency checks, documents and their provenance
(captures, WARC records), versions and what changed, agencies, coverage per year, alerts.
Lists are paginated (`limit`, `offset`; `page.next` links the next page, `page.pages` the
numbered pages) and every list is also available as CSV (`format=csv`, UTF-8 with BOM).
Links in answers are absolute, built from the URL the request was sent to. `updated_since`
narrows lists to what changed since a moment. JSON answers carry an `ETag`; send it back in
`If-None-Match` and an unchanged answer is a `304` with no body. A query parameter an
endpoint does not take is a `400` naming it (a mistyped filter never returns the whole list).
A readable version of this document: `/api`."""


def create_app(db_url: str, archive_dir: Path | str | None = None, *,
               deadlines: Deadlines | None = None,
               today: Callable[[], date] = date.today,
               public_url: str | None = None) -> FastAPI:
    """The web app on the archive at ``db_url`` (raises ``DatabaseUnavailable``); the blobs
    are under the folder ``archive_dir``, or in the bucket when it is ``s3://bucket/prefix``.

    ``public_url``: the address the app is reached at (``[alerts] base_url``, no trailing
    slash); the Atom feed links under it. None: links follow the URL each request was sent to.
    """
    blobs = None
    if is_object_url(archive_dir):
        blobs = open_archive_storage(str(archive_dir)).blobs
        archive_dir = None
    db = ReadOnlyDB(db_url)
    app = FastAPI(title="govreports archive API", version=software_version().split("/", 1)[-1],
                  description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.web = WebContext(db=db, queries=Queries(db.dialect, deadlines or Deadlines(), today),
                               archive_dir=Path(archive_dir) if archive_dir else None, blobs=blobs,
                               public_url=public_url.rstrip("/") if public_url else None)
    app.include_router(api.router)
    app.include_router(pages.files)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.middleware("http")(_security_headers)
    app.add_middleware(ETagMiddleware)
    app.add_middleware(HeadAsGet)  # outermost: a HEAD is a GET to everything inside
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(GovreportsError, _govreports_error)  # type: ignore[arg-type]
    app.router.on_shutdown.append(db.close)
    return app


async def _security_headers(request: Request,
                            call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and \
        "text/html" in request.headers.get("accept", "")


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if _wants_html(request):
        return pages.error_page(request, exc.status_code, str(exc.detail))
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


async def _govreports_error(request: Request, exc: GovreportsError) -> Response:
    """The web app's one error boundary: the error's ``http_status`` and its message."""
    if _wants_html(request):
        return pages.error_page(request, exc.http_status, exc.explain())
    return JSONResponse({"detail": exc.explain()}, status_code=exc.http_status)


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    if _wants_html(request):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors())
        return pages.error_page(request, 400, problems)
    from fastapi.exception_handlers import request_validation_exception_handler

    return await request_validation_exception_handler(request, exc)
