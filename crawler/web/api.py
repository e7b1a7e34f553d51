"""The JSON API under ``/api/v1``: everything the pages show, paginated, also as CSV."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from crawler.web import schemas
from crawler.web.context import WebContext, context, page_links, with_session
from crawler.web.csvout import csv_response
from crawler.web.filters import MAX_LIMIT, ReportFilters, parse_moment
from crawler.web.links import absolute, base_url
from crawler.web.params import reject_unknown_params

router = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(reject_unknown_params)],
                   responses={400: {"model": schemas.Problem,
                                    "description": "Unknown query parameter or bad filter"}})
Ctx = Annotated[WebContext, Depends(context)]
Format = Annotated[Literal["json", "csv"], Query(
    description="json (default) or csv: the whole filtered list (limit/offset ignored), "
                "UTF-8 with a byte-order mark.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page.")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Rows to skip.")]
Year = Annotated[int | None, Query(ge=1900, le=2200)]
Text = Annotated[str | None, Query(max_length=200)]
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1)]
VersionNumber = Annotated[int, Path(ge=1, le=10**6)]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 hex digest")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": schemas.Problem,
                                                     "description": "Unknown id"}}
AlertType = Literal["new_report", "report_changed", "report_removed", "report_unlisted", "report_overdue"]
UpdatedSince = Annotated[str | None, Query(
    max_length=40, examples=["2024-02-01", "2024-02-01T08:00:00+08:00"],
    description="Only what changed at or after this ISO 8601 date or date-time (UTC unless it "
                "has an offset): for reports, first seen, a new version, removed, or an alert "
                "about it.")]
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {
    "schema": {"type": "string"}}}}}


def columns(model: type[schemas.BaseModel]) -> list[str]:
    """CSV columns: the model's fields, in order."""
    return list(model.model_fields)


def _report_items(request: Request, ctx: WebContext, make: Any, report_id: int,
                  model: type[schemas.BaseModel], name: str, format: str) -> Any:
    """A list belonging to a report (404 when unknown), as JSON or as CSV."""
    items = with_session(ctx, make, report_id)
    if format == "csv":
        return csv_response(absolute(items, base_url(request)), columns(model),
                            f"report-{report_id}-{name}")
    return _json(request, {"report_id": report_id, "items": items})


def _json(request: Request, value: Any) -> Any:
    """``value`` with its links made absolute for this request."""
    return absolute(value, base_url(request))


@router.get("/reports", response_model=schemas.ReportList, responses=CSV,
            summary="Reports, filtered and paginated")
def api_reports(
    request: Request,
    ctx: Ctx,
    agency: Annotated[Text, Query(description="Agency name contains this.")] = None,
    region: Annotated[Text, Query(description="Administrative area (or an area inside it), "
                                              "e.g. 固原市.")] = None,
    year: Year = None,
    year_from: Year = None,
    year_to: Year = None,
    template: Literal["2019", "2021", "mixed", "unknown"] | None = None,
    failed: Annotated[bool, Query(description="Only reports with a failed check.")] = False,
    status: Literal["live", "removed"] | None = None,
    updated_since: UpdatedSince = None,
    sort: Literal["-year", "year", "agency", "-agency", "published_on", "-published_on"] = "-year",
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    """Reports matching every filter given; ``total`` counts all pages."""
    f = ReportFilters(agency=agency, region=region, year=year, year_from=year_from,
                      year_to=year_to, template=template, failed=failed, status=status, sort=sort,
                      updated_since=parse_moment(updated_since))
    base = base_url(request)
    if format == "csv":
        return csv_response((absolute(row, base) for row in ctx.stream(ctx.queries.iter_reports, f)),
                            columns(schemas.ReportRow), "reports")
    total, rows = with_session(ctx, ctx.queries.list_reports, f, limit, offset)
    return _json(request, {"page": page_links("/api/v1/reports", f.params(), total, limit, offset),
                           "items": rows})


@router.get("/reports/{report_id}", response_model=schemas.ReportDetail, responses=NOT_FOUND,
            summary="A report: parsed tables, checks, documents, versions")
def api_report(request: Request, ctx: Ctx, report_id: ReportId) -> Any:
    """Everything the report page shows."""
    return _json(request, with_session(ctx, ctx.queries.report, report_id))


@router.get("/reports/{report_id}/values", response_model=schemas.ValueList, responses=NOT_FOUND,
            summary="A report's numbers as tidy rows (section, row, column, value, unit)")
def api_values(request: Request, ctx: Ctx, report_id: ReportId) -> Any:
    """Every number of the current version's tables, one row each, in the official template's
    order, with the labels the form prints and the unit; no rows when it did not parse."""
    return _json(request, with_session(ctx, ctx.queries.values, report_id))


@router.get("/reports/{report_id}/versions", response_model=schemas.VersionList,
            responses={**NOT_FOUND, **CSV}, summary="A report's versions")
def api_versions(request: Request, ctx: Ctx, report_id: ReportId,
                 format: Format = "json") -> Any:
    """Every version, oldest first, with what changed from the one before."""
    return _report_items(request, ctx, ctx.queries.versions, report_id, schemas.VersionSummary,
                         "versions", format)


@router.get("/reports/{report_id}/diff/{old}/{new}", response_model=schemas.VersionDiffOut,
            responses=NOT_FOUND, summary="What changed between two versions")
def api_diff(request: Request, ctx: Ctx, report_id: ReportId, old: VersionNumber,
             new: VersionNumber) -> Any:
    """Numbers that differ, in the official template's order, and section texts (when both
    versions are the same format); when each version was captured and its document."""
    return _json(request, with_session(ctx, ctx.queries.diff, report_id, old, new))


@router.get("/reports/{report_id}/captures", response_model=schemas.CaptureList,
            responses={**NOT_FOUND, **CSV}, summary="Provenance: every capture of a report")
def api_captures(request: Request, ctx: Ctx, report_id: ReportId,
                 format: Format = "json") -> Any:
    """Every fetch of the report's URLs and contents: time, status, sha256, WARC record."""
    return _report_items(request, ctx, ctx.queries.captures, report_id, schemas.CaptureOut,
                         "captures", format)


@router.get("/reports/{report_id}/documents", response_model=schemas.DocumentList,
            responses={**NOT_FOUND, **CSV}, summary="The documents that carry a report")
def api_report_documents(request: Request, ctx: Ctx, report_id: ReportId,
                         format: Format = "json") -> Any:
    """Each document's URL, sha256, type, size and version; ``content_url`` serves it."""
    return _report_items(request, ctx, ctx.queries.report_documents, report_id, schemas.DocumentLink,
                         "documents", format)


@router.get("/documents/{sha256}", response_model=schemas.DocumentMeta, responses=NOT_FOUND,
            summary="An archived document's metadata")
def api_document(request: Request, ctx: Ctx, sha256: Sha256) -> Any:
    """Type, size, the reports it carries, its captures and parse outcomes."""
    return _json(request, with_session(ctx, ctx.queries.document, sha256))


@router.get("/agencies", response_model=schemas.AgencyList, responses=CSV,
            summary="Known agencies, filtered and paginated")
def api_agencies(
    request: Request,
    ctx: Ctx,
    name: Annotated[Text, Query(description="Agency name contains this.")] = None,
    region: Annotated[Text, Query(description="Administrative area (or one inside it).")] = None,
    updated_since: UpdatedSince = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    """Agencies with at least one report, by name, with how many reports came out on time."""
    since = parse_moment(updated_since)
    if format == "csv":
        _, rows = with_session(ctx, ctx.queries.list_agencies, name, region, None, 0,
                               updated_since=since, on_time=True)
        return csv_response(absolute(rows, base_url(request)), columns(schemas.AgencyRow),
                            "agencies")
    total, rows = with_session(ctx, ctx.queries.list_agencies, name, region, limit, offset,
                               updated_since=since, on_time=True)
    params = dict(name=name, region=region, updated_since=since.isoformat() if since else None)
    return _json(request, {"page": page_links("/api/v1/agencies", params, total, limit, offset),
                           "items": rows})


@router.get("/agencies/{agency:path}", response_model=schemas.AgencyDetail, responses=NOT_FOUND,
            summary="An agency's reports by year, on time or late")
def api_agency(request: Request, ctx: Ctx,
               agency: Annotated[str, Path(min_length=1, max_length=255)]) -> Any:
    """Each year from its first report to the newest year due, against the legal deadline."""
    return _json(request, with_session(ctx, ctx.queries.agency, agency))


@router.get("/coverage", response_model=schemas.Coverage, responses=CSV,
            summary="For a year: which known agencies have a report")
def api_coverage(
    request: Request,
    ctx: Ctx,
    year: Annotated[Year, Query(description="Report year (default: the newest with reports).")] = None,
    agency: Text = None,
    region: Text = None,
    has_report: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    """Known agencies (any report in the archive), with or without a report for ``year``."""
    summary, rows = with_session(ctx, ctx.queries.coverage, year, agency, region, has_report)
    if format == "csv":
        return csv_response(absolute(rows, base_url(request)), columns(schemas.CoverageRow),
                            f"coverage-{summary['year']}")
    params = dict(year=summary["year"], agency=agency, region=region,
                  has_report=None if has_report is None else str(has_report).lower())
    return _json(request, {"summary": summary,
                           "page": page_links("/api/v1/coverage", params, len(rows), limit, offset),
                           "items": rows[offset:offset + limit]})


@router.get("/alerts", response_model=schemas.AlertList, responses=CSV,
            summary="Alert events, newest first")
def api_alerts(
    request: Request,
    ctx: Ctx,
    type: Annotated[AlertType | None, Query(description="Only events of this type.")] = None,
    agency: Text = None,
    since: Annotated[date | None, Query(description="Only events on or after this day.")] = None,
    updated_since: Annotated[str | None, Query(
        max_length=40, description="Only events recorded at or after this ISO 8601 date or "
                                   "date-time (UTC unless it has an offset).")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    """New, changed, removed and overdue reports as the crawls recorded them."""
    moment = parse_moment(updated_since)
    if format == "csv":
        _, rows = with_session(ctx, ctx.queries.list_alerts, type, agency, since, None,
                               updated_since=moment)
        return csv_response(absolute(rows, base_url(request)), columns(schemas.AlertOut), "alerts")
    total, rows = with_session(ctx, ctx.queries.list_alerts, type, agency, since, limit, offset,
                               updated_since=moment)
    params = dict(type=type, agency=agency, since=since.isoformat() if since else None,
                  updated_since=moment.isoformat() if moment else None)
    return _json(request, {"page": page_links("/api/v1/alerts", params, total, limit, offset),
                           "items": rows})

