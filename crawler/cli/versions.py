"""``govreports versions`` and ``govreports diff``: a report's versions and what changed."""

from __future__ import annotations

import json
from typing import Any

import click

from crawler.cli.common import DB_HELP, open_archive_db
from crawler.reports.versions import VersionDiff, diff_records
from storage.read.reports import report_by_id
from storage.read.versions import link_captures, records_to_compare, version_documents, versions_of
from storage.repository import ArchiveDB


def report_versions(db: ArchiveDB, report_id: int) -> list[dict[str, Any]]:
    """Every version of a report, oldest first, with its documents and their captures."""
    session = db.session
    if report_by_id(session, report_id) is None:
        raise click.ClickException(f"no report {report_id}; `govreports reports` lists them")
    out = []
    for version in versions_of(session, report_id):
        documents = []
        for link in version_documents(session, version.id):
            captures = link_captures(session, link)
            documents.append({
                "url": link.url, "sha256": link.sha256, "role": link.role,
                "captures": [{"fetched_at": c.fetched_at.isoformat(), "status": c.status,
                              "run_id": c.run_id, "warc_file": c.warc_file,
                              "warc_record_id": c.warc_record_id} for c in captures],
            })
        out.append({
            "number": version.number, "first_seen_at": version.first_seen_at.isoformat(),
            "last_seen_at": version.last_seen_at.isoformat(), "run_id": version.run_id,
            "sha256": version.sha256, "url": version.url, "changes": version.changes,
            "documents": documents,
        })
    return out


def diff_versions(db: ArchiveDB, report_id: int, old: int, new: int) -> VersionDiff:
    """The difference between versions ``old`` and ``new`` of a report."""
    old_record, new_record, same_kind = records_to_compare(db.session, report_id, old, new)
    return diff_records(old_record, new_record, compare_text=same_kind)


@click.command("versions")
@click.argument("report_id", type=int)
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per version.")
def versions_command(report_id: int, db_url: str | None, as_json: bool) -> None:
    """List a report's versions: when each was seen, where, and what changed."""
    db = open_archive_db(db_url)
    try:
        rows = report_versions(db, report_id)
    finally:
        db.close()
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        summary = (row["changes"] or {}).get("summary", "first version")
        click.echo(f"v{row['number']}\t{row['first_seen_at'][:19]} … {row['last_seen_at'][:19]}\t"
                   f"{row['sha256'][:12]}\t{row['url']}\t{summary}")
        for doc in row["documents"]:
            click.echo(f"    {doc['role']}\t{doc['url']}\t{len(doc['captures'])} capture(s)")
    if not rows:
        click.echo(f"report {report_id} has no parsed version yet", err=True)


@click.command("diff")
@click.argument("report_id", type=int)
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="The difference as JSON.")
def diff_command(report_id: int, old: int | None, new: int | None, db_url: str | None,
                 as_json: bool) -> None:
    """Show what changed between two versions of a report (default: the last two)."""
    db = open_archive_db(db_url)
    try:
        if old is None or new is None:
            numbers = [r["number"] for r in report_versions(db, report_id)]
            if len(numbers) < 2:
                raise click.ClickException(f"report {report_id} has {len(numbers)} version(s); "
                                           "nothing to compare")
            old, new = numbers[-2], numbers[-1]
        diff = diff_versions(db, report_id, old, new)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(diff.as_dict(), ensure_ascii=False))
        return
    click.echo(f"report {report_id}: v{old} → v{new}: {diff.summary()}")
    for cell in diff.numbers:
        click.echo(f"  {cell['table']}.{cell['row']}.{cell['column']}: {cell['old']} → {cell['new']}")
    for text in diff.text:
        click.echo(f"  section {text['section']}:")
        for line in text["diff"].splitlines():
            click.echo(f"    {line}")
