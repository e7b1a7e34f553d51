"""The HTML pages: server-rendered, no JavaScript, everything crawled escaped by Jinja."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from crawler.alerts.atom import newest_events, render_feed
from crawler.alerts.config import archive_url
from crawler.alerts.render import TYPE_LABELS
from crawler.fetch.encoding import decode_document
from crawler.reports.form import TEXT_SECTION_TITLES
from crawler.reports.regions import in_region
from crawler.web import api, apidocs, documents, original_cells, schemas
from crawler.web.api import AlertType, ReportId, VersionNumber, columns
from crawler.web.context import WebContext, context, page_links, with_session
from crawler.web.csvout import csv_response
from crawler.web.filters import (
    SORTS,
    STATUSES,
    TEMPLATES,
    FilterError,
    parse_bool,
    parse_filters,
    parse_moment,
    parse_page,
)
from crawler.web.layout import link_cells, record_tables
from crawler.web.links import base_url
from crawler.web.params import refuse_unknown_like
from crawler.web.queries import agency_path, report_path
from storage.models import ALERT_TYPES, AlertEvent
from storage.read.alerts import event_agencies

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
FEED_SIZE = 100
#: Query parameters the Atom feed understands.
FEED_PARAMS = frozenset({"agency", "region", "type"})
TIMELINESS = {
    "on_time": ("按时", "on time"),
    "late": ("逾期", "late"),
    "unknown": ("日期不明", "date unknown"),
    "missing": ("缺报", "missing: registered, portal crawled after the deadline"),
    "not_found": ("存档未见", "not found in archive"),
    "not_due": ("未到期", "not yet due"),
}
SORT_LABELS = {
    "-year": "年度（新→旧） year, newest first", "year": "年度（旧→新） year, oldest first",
    "agency": "机关 A→Z agency", "-agency": "机关 Z→A agency",
    "published_on": "发布日期（早→晚） published, oldest", "-published_on": "发布日期（晚→早） published, newest",
}

router = APIRouter(include_in_schema=False)
#: Non-JSON resources that belong in the OpenAPI document: originals and the Atom feed.
files = APIRouter()
Ctx = Annotated[WebContext, Depends(context)]


def make_templates() -> Jinja2Templates:
    """Jinja templates with autoescaping on for every file, undefined names an error."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.globals.update(TIMELINESS=TIMELINESS, TYPE_LABELS=TYPE_LABELS,
                       agency_path=agency_path)
    env.filters["short"] = lambda s, n=12: (s or "")[:n]
    return Jinja2Templates(env=env)


templates = make_templates()


def render(request: Request, template: str, status: int = 200, **values: Any) -> Response:
    """A page from ``template``."""
    return templates.TemplateResponse(request, template, values, status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    """An error page (404 unknown id, 400 bad filter) that says what went wrong."""
    return render(request, "error.html", status=status, status_code=status, message=message)


@router.get("/")
def home(request: Request, ctx: Ctx) -> Response:
    """The reports list is the home page (served here, so ``GET``/``HEAD /`` answer 200)."""
    return reports_page(request, ctx)


@router.get("/api")
def api_docs(request: Request) -> Response:
    """The API docs: every endpoint of the OpenAPI document with its parameters and answers."""
    openapi = request.app.openapi()
    return render(request, "api.html", info=openapi.get("info", {}),
                  openapi_version=openapi.get("openapi", ""), base=base_url(request),
                  ops=apidocs.endpoints(openapi))


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: answers without touching the database."""
    return {"status": "ok"}


@router.get("/reports")
def reports_page(request: Request, ctx: Ctx) -> Response:
    """Search and filter reports; ``?format=csv`` downloads the whole filtered list."""
    refuse_unknown_like(request, api.api_reports)
    params = request.query_params
    f = parse_filters(params)
    limit, offset = parse_page(params)
    if params.get("format") == "csv":
        return csv_response(ctx.stream(ctx.queries.iter_reports, f),
                            columns(schemas.ReportRow), "reports")

    def load(session: Any) -> Any:
        total, rows = ctx.queries.list_reports(session, f, limit, offset)
        return total, rows, ctx.queries.years(session)

    total, rows, years = with_session(ctx, load)
    return render(request, "reports.html", f=f, rows=rows, years=years,
                  page=page_links("/reports", f.params(), total, limit, offset),
                  templates=TEMPLATES, statuses=STATUSES, sorts=SORTS, sort_labels=SORT_LABELS)


@router.get("/reports/{report_id}")
def report_page(request: Request, ctx: Ctx, report_id: ReportId) -> Response:
    """A report: its tables like the official template, checks, originals, provenance."""

    def load(session: Any) -> Any:
        report, record = ctx.queries.report_with_record(session, report_id)
        return report, record, ctx.queries.captures(session, report_id)

    report, record, captures = with_session(ctx, load)
    tables = record_tables(record) if record is not None else []
    current = max(report["documents"], key=lambda d: d.get("version") or 0, default=None)
    link_cells(tables, current["content_url"] if current else None)
    failed = [c for c in report["checks_list"] if not c["ok"]]
    return render(request, "report.html", r=report, tables=tables, failed=failed,
                  captures=captures, sections=TEXT_SECTION_TITLES)


@router.get("/reports/{report_id}/diff/{old}/{new}")
def diff_page(request: Request, ctx: Ctx, report_id: ReportId, old: VersionNumber,
              new: VersionNumber) -> Response:
    """What changed between two versions of a report."""

    def load(session: Any) -> Any:
        report = ctx.queries.require_report(session, report_id)  # the page shows title and link
        return ({"title": report.title, "url": report_path(report_id)},
                ctx.queries.diff(session, report_id, old, new))

    report, diff = with_session(ctx, load)
    return render(request, "diff.html", r=report, d=diff)


@files.get("/documents/{sha256}", tags=["documents"], response_class=Response,
            summary="The archived original bytes of a document",
            responses={200: {"content": {"*/*": {
                "schema": {"type": "string", "format": "binary"}}},
                "description": "The bytes with their recorded content type (PDF, HTML, DOCX…); "
                               "HTML is served with a sandboxing Content-Security-Policy."},
                404: {"model": schemas.Problem, "description": "Unknown document"}})
def document_content(ctx: Ctx, sha256: str, download: bool = False) -> Response:
    """The original as archived, with its content type, sandboxed (scripts never run)."""
    if not documents.SHA256.match(sha256):
        raise HTTPException(404, f"no document {sha256}")
    doc, charset = with_session(ctx, ctx.queries.document_file, sha256)
    media = documents.media_type(doc, charset)
    if ctx.blobs is not None:  # an object-store archive
        data = documents.blob_bytes(doc, ctx.blobs)
        if data is None:
            raise HTTPException(404, f"the bytes of document {sha256} are not in the archive")
        return Response(data, media_type=media, headers=documents.headers(doc, download=download))
    path = documents.blob_file(doc, ctx.archive_dir)
    if path is None:
        raise HTTPException(404, f"the bytes of document {sha256} are not in the archive")
    return FileResponse(path, media_type=media,
                        headers=documents.headers(doc, download=download),
                        content_disposition_type="attachment" if download else "inline")


@router.get("/documents/{sha256}/cell", tags=["documents"])
def document_cell(request: Request, ctx: Ctx, sha256: str, at: str | None = None,
                  grid: str | None = None) -> Response:
    """The table of an original that holds a value, the value's cell marked: ``at`` for an
    HTML cell (``table,row,cell`` in the DOM), ``grid`` for a DOCX one (``table,row,column``),
    as the parse record gives them (see :mod:`crawler.web.original_cells`)."""
    if not documents.SHA256.match(sha256):
        raise HTTPException(404, f"no document {sha256}")
    try:
        table, row, cell = original_cells.parse_address(at if at is not None else grid or "")
    except ValueError as exc:
        return error_page(request, 400, f"at={at!r} grid={grid!r}: {exc}")
    doc, charset = with_session(ctx, ctx.queries.document_file, sha256)
    if ctx.blobs is not None:
        data = documents.blob_bytes(doc, ctx.blobs)
    else:
        path = documents.blob_file(doc, ctx.archive_dir)
        data = path.read_bytes() if path is not None else None
    if data is None:
        raise HTTPException(404, f"the bytes of document {sha256} are not in the archive")
    media = documents.media_type(doc, charset)
    try:
        if at is not None and "html" in media:
            excerpt = original_cells.html_excerpt(decode_document(data, media), table, row, cell)
        elif grid is not None and "wordprocessingml" in media:
            excerpt = original_cells.docx_excerpt(data, table, row, cell)
        else:
            return error_page(request, 404, f"document {sha256} is {media}: give at= for an HTML "
                                            "original, grid= for a DOCX one (a PDF opens at its page)")
    except LookupError as exc:
        return error_page(request, 404, f"document {sha256}: {exc}")
    return render(request, "cell.html", x=excerpt, original=f"/documents/{sha256}")


@router.get("/agencies")
def agencies_page(request: Request, ctx: Ctx) -> Response:
    """Known agencies, searchable by name and area."""
    refuse_unknown_like(request, api.api_agencies)
    params = request.query_params
    name, region = params.get("name") or None, params.get("region") or None
    since = parse_moment(params.get("updated_since"))
    limit, offset = parse_page(params)
    if params.get("format") == "csv":
        _, rows = with_session(ctx, ctx.queries.list_agencies, name, region, None, 0,
                               updated_since=since, on_time=True)
        return csv_response(rows, columns(schemas.AgencyRow), "agencies")
    total, rows = with_session(ctx, ctx.queries.list_agencies, name, region, limit, offset,
                               updated_since=since, on_time=True)
    updated_since = since.isoformat() if since else None
    return render(request, "agencies.html", rows=rows, name=name or "", region=region or "",
                  updated_since=updated_since or "",
                  page=page_links("/agencies", dict(name=name, region=region,
                                                    updated_since=updated_since),
                                  total, limit, offset))


@router.get("/agencies/{agency:path}")
def agency_page(request: Request, ctx: Ctx, agency: str) -> Response:
    """An agency's reports by year, each on time or late against the legal deadline."""
    a = with_session(ctx, ctx.queries.agency, agency)
    deadline = ctx.queries.deadlines.government if a["is_government"] \
        else ctx.queries.deadlines.department
    return render(request, "agency.html", a=a, deadline=deadline)


@router.get("/coverage")
def coverage_page(request: Request, ctx: Ctx) -> Response:
    """For a year: which known agencies have a report and which do not."""
    refuse_unknown_like(request, api.api_coverage)
    params = request.query_params
    filters = parse_filters({"year": params.get("year", "")})
    has = params.get("has_report") or ""
    has_report = None if has == "" else parse_bool(has, "has_report")
    limit, offset = parse_page(params, default_limit=100)
    agency, region = params.get("agency") or None, params.get("region") or None
    summary, rows = with_session(ctx, ctx.queries.coverage, filters.year, agency, region,
                                 has_report)
    if params.get("format") == "csv":
        return csv_response(rows, columns(schemas.CoverageRow), f"coverage-{summary['year']}")
    base = dict(year=summary["year"], agency=agency, region=region, has_report=has or None)
    return render(request, "coverage.html", s=summary, rows=rows[offset:offset + limit],
                  agency=agency or "", region=region or "", has=has,
                  page=page_links("/coverage", base, len(rows), limit, offset))


@router.get("/alerts")
def alerts_page(request: Request, ctx: Ctx) -> Response:
    """Alert events, newest first; the same as the Atom feed."""
    refuse_unknown_like(request, api.api_alerts)
    params = request.query_params
    type_ = params.get("type") or None
    agency = params.get("agency") or None
    if type_ is not None and type_ not in ALERT_TYPES:
        raise FilterError(f"type: {type_!r} is not one of {', '.join(ALERT_TYPES)}")
    try:
        since = date.fromisoformat(params["since"]) if params.get("since") else None
    except ValueError as exc:
        raise FilterError(f"since: {exc}") from None
    moment = parse_moment(params.get("updated_since"))
    updated_since = moment.isoformat() if moment else None
    limit, offset = parse_page(params)
    if params.get("format") == "csv":
        _, rows = with_session(ctx, ctx.queries.list_alerts, type_, agency, since, None,
                               updated_since=moment)
        return csv_response(rows, columns(schemas.AlertOut), "alerts")
    total, rows = with_session(ctx, ctx.queries.list_alerts, type_, agency, since, limit, offset,
                               updated_since=moment)
    base = dict(type=type_, agency=agency, since=since.isoformat() if since else None,
                updated_since=updated_since)
    return render(request, "alerts.html", rows=rows, type_=type_ or "", agency=agency or "",
                  since=since.isoformat() if since else "", updated_since=updated_since or "",
                  types=ALERT_TYPES,
                  page=page_links("/alerts", base, total, limit, offset))


@files.get("/alerts.atom", tags=["alerts"], response_class=Response,
            summary="Atom feed of the newest alert events",
            responses={200: {"content": {"application/atom+xml": {"schema": {"type": "string"}}},
                             "description": "Atom 1.0 feed"}})
def alerts_feed(request: Request, ctx: Ctx,
                agency: Annotated[str | None, Query(max_length=200,
                                                    description="Agencies whose name contains this.")] = None,
                region: Annotated[str | None, Query(max_length=200, description=(
                    "Agencies of this area or inside it (e.g. 固原市), as read from their names."))] = None,
                type: Annotated[AlertType | None, Query(description="One alert type.")] = None,  # noqa: A002
                ) -> Response:
    """The newest announced alert events (filtered by agency, region, type) as an Atom 1.0 feed.

    Each entry links to the archived report page, or for an overdue report to the agency's
    page (``alternate``), and to the government URL (``via``); links are under the configured
    ``[alerts] base_url`` when set, else under the URL the request was sent to. Unknown
    parameters: 400.
    """
    unknown = sorted(set(request.query_params) - FEED_PARAMS)
    if unknown:
        raise HTTPException(400, f"unknown parameter(s): {', '.join(unknown)}; "
                                 f"allowed: {', '.join(sorted(FEED_PARAMS))}")
    public = ctx.public_url
    self_url = str(request.url)
    if public:  # behind a proxy the request's host is not the one readers reach
        query = request.url.query
        self_url = public + request.app.url_path_for("alerts_feed") + (f"?{query}" if query else "")
    links_base = public or base_url(request)

    def link(event: AlertEvent) -> str:  # the archived report, or the agency's years (overdue)
        return archive_url(links_base, event)

    def feed(session: Session) -> bytes:
        names = None
        if region:
            names = [a for a in event_agencies(session) if in_region(a, region)]
        events = newest_events(session, FEED_SIZE, agency=agency, agencies=names, type_=type)
        return render_feed(events, self_url=self_url, report_link=link)

    return Response(with_session(ctx, feed), media_type="application/atom+xml")
