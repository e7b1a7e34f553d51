"""SQL views for exploring the archive (Datasette, sqlite3, psql): current reports, tidy
values, checks, agencies

Revision ID: 0005_views
Revises: 0004_agencies
Create Date: 2026-12-06 07:35:00
"""

from __future__ import annotations

from alembic import op

revision: str = '0005_views'
down_revision: str | None = '0004_agencies'
branch_labels: str | None = None
depends_on: str | None = None

VIEWS = ("report_checks", "report_values", "agency_summary", "current_reports")

CURRENT_REPORTS = """
CREATE VIEW current_reports AS
SELECT r.id AS report_id, r.agency, r.year, r.title, r.published_on, r.status,
       r.first_seen_at, r.last_seen_at, v.number AS version, v.url AS source_url, v.sha256,
       v.parser_version, p.id AS parse_result_id, p.status AS parse_status
FROM reports r
JOIN report_versions v ON v.id = r.current_version_id
LEFT JOIN parse_results p ON p.sha256 = v.sha256 AND p.parser_version = v.parser_version
"""

AGENCY_SUMMARY = """
CREATE VIEW agency_summary AS
SELECT r.agency, COUNT(*) AS reports, MIN(r.year) AS first_year, MAX(r.year) AS last_year,
       SUM(CASE WHEN r.status = 'removed' THEN 1 ELSE 0 END) AS removed,
       MAX(a.division_code) AS division_code, MAX(a.level) AS level,
       MAX(a.portal_url) AS portal_url,
       CASE WHEN MAX(a.id) IS NULL THEN 0 ELSE 1 END AS registered
FROM reports r
LEFT JOIN agencies a ON a.name = r.agency
GROUP BY r.agency
"""

SQLITE_VALUES = """
CREATE VIEW report_values AS
SELECT c.report_id, c.agency, c.year, t.key AS "table", rw.key AS "row", col.key AS "column",
       col.value AS value
FROM current_reports c
JOIN parse_results p ON p.id = c.parse_result_id,
     json_each(p.record) t, json_each(t.value) rw, json_each(rw.value) col
WHERE t.key IN ('active_disclosure', 'applications', 'review_litigation')
  AND t.type = 'object' AND rw.type = 'object'
"""

SQLITE_CHECKS = """
CREATE VIEW report_checks AS
SELECT c.report_id, c.agency, c.year, json_extract(ch.value, '$.rule') AS rule,
       json_extract(ch.value, '$.where') AS "where", json_extract(ch.value, '$.ok') AS ok,
       json_extract(ch.value, '$.expected') AS expected, json_extract(ch.value, '$.actual') AS actual
FROM current_reports c
JOIN parse_results p ON p.id = c.parse_result_id,
     json_each(p.record, '$.checks') ch
"""

POSTGRES_VALUES = """
CREATE VIEW report_values AS
SELECT c.report_id, c.agency, c.year, t.key AS "table", rw.key AS "row", col.key AS "column",
       CASE WHEN json_typeof(col.value) = 'number' THEN (col.value::text)::numeric END AS value
FROM current_reports c
JOIN parse_results p ON p.id = c.parse_result_id
CROSS JOIN LATERAL json_each(CASE WHEN json_typeof(p.record) = 'object' THEN p.record
                                  ELSE '{}'::json END) t
CROSS JOIN LATERAL json_each(CASE WHEN json_typeof(t.value) = 'object' THEN t.value
                                  ELSE '{}'::json END) rw
CROSS JOIN LATERAL json_each(CASE WHEN json_typeof(rw.value) = 'object' THEN rw.value
                                  ELSE '{}'::json END) col
WHERE t.key IN ('active_disclosure', 'applications', 'review_litigation')
"""

POSTGRES_CHECKS = """
CREATE VIEW report_checks AS
SELECT c.report_id, c.agency, c.year, ch->>'rule' AS rule, ch->>'where' AS "where",
       (ch->>'ok')::boolean AS ok, (ch->>'expected')::numeric AS expected,
       (ch->>'actual')::numeric AS actual
FROM current_reports c
JOIN parse_results p ON p.id = c.parse_result_id
CROSS JOIN LATERAL json_array_elements(CASE WHEN json_typeof(p.record -> 'checks') = 'array'
                                            THEN p.record -> 'checks' ELSE '[]'::json END) ch
"""


def upgrade() -> None:
    """Apply this revision."""
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(CURRENT_REPORTS)
    op.execute(AGENCY_SUMMARY)
    op.execute(POSTGRES_VALUES if postgres else SQLITE_VALUES)
    op.execute(POSTGRES_CHECKS if postgres else SQLITE_CHECKS)


def downgrade() -> None:
    """Revert this revision."""
    for view in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {view}")
