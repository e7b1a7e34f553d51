"""The OpenAPI document checked against the running app: schemathesis generates requests for
every GET operation and checks status codes, content types and response schemas.

(schemathesis' ``from_fixture`` does not run under pytest 9, so each operation's Hypothesis
test is built here from the schema loaded off the real server.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.openapi import from_url
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Document
from tests.web.conftest import WebArchive

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
OPERATIONS = [
    "/api/v1/reports", "/api/v1/reports/{report_id}", "/api/v1/reports/{report_id}/versions",
    "/api/v1/reports/{report_id}/diff/{old}/{new}", "/api/v1/reports/{report_id}/captures",
    "/api/v1/reports/{report_id}/documents", "/api/v1/reports/{report_id}/values",
    "/api/v1/documents/{sha256}", "/api/v1/agencies",
    "/api/v1/agencies/{agency}", "/api/v1/coverage", "/api/v1/alerts", "/documents/{sha256}",
    "/alerts.atom",
]


@pytest.fixture(scope="session")
def api_schema(server: str) -> schemathesis.BaseSchema:
    """The app's own OpenAPI document, loaded from the real server."""
    return from_url(f"{server}/openapi.json")


def test_every_documented_operation_is_a_tested_get(api_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]  # type: ignore[union-attr]
    documented = {(op.method.upper(), op.path) for op in operations}
    assert documented == {("GET", path) for path in OPERATIONS}


@pytest.mark.parametrize("path", OPERATIONS)
def test_operation_conforms_to_the_openapi_document(api_schema: schemathesis.BaseSchema,
                                                    path: str) -> None:
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy())
    @settings(max_examples=8, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    check()


def real_cases(web_archive: WebArchive) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(path, path parameters, query) of requests that find something, so that 200 answers
    with real data are checked too (random ids mostly meet 404s)."""
    built = web_archive.built
    rid = built.versioned_report_id
    sha = web_archive.hostile.sha256
    return [
        ("/api/v1/reports", {}, {"failed": True, "limit": 500}),
        ("/api/v1/reports", {}, {"format": "csv"}),
        ("/api/v1/reports/{report_id}", {"report_id": built.failed_check_report_id}, {}),
        ("/api/v1/reports/{report_id}", {"report_id": web_archive.hostile.report_id}, {}),
        ("/api/v1/reports/{report_id}/versions", {"report_id": rid}, {}),
        ("/api/v1/reports/{report_id}/diff/{old}/{new}", {"report_id": rid, "old": 1, "new": 2}, {}),
        ("/api/v1/reports/{report_id}/captures", {"report_id": rid}, {}),
        ("/api/v1/reports/{report_id}/documents", {"report_id": built.pdf_report_id}, {}),
        ("/api/v1/documents/{sha256}", {"sha256": sha}, {}),
        ("/documents/{sha256}", {"sha256": sha}, {}),
        ("/api/v1/agencies", {}, {"limit": 500}),
        ("/api/v1/agencies/{agency}", {"agency": web_archive.hostile.agency}, {}),
        ("/api/v1/coverage", {}, {"year": 2022, "limit": 500}),
        ("/api/v1/alerts", {}, {"limit": 500}),
        ("/alerts.atom", {}, {}),
    ]


def test_real_answers_conform(api_schema: schemathesis.BaseSchema, web_archive: WebArchive,
                              db: Session) -> None:
    cases = real_cases(web_archive)
    pdf = db.scalar(select(Document.sha256).where(Document.content_type == "application/pdf"))
    cases.append(("/documents/{sha256}", {"sha256": pdf}, {}))
    for path, params, query in cases:
        case = api_schema[path]["GET"].Case(path_parameters=params, query=query)
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 200, (path, params, response.text[:300])
