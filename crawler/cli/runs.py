"""``govreports runs`` (the crawl runs) and ``govreports errors --run N`` (a run's failed URLs)."""

from __future__ import annotations

import json
from datetime import datetime

import click

from crawler.cli.common import DB_HELP, open_archive_db


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "—"


@click.command("runs")
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Newest runs to show.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run.")
def runs_command(db_url: str | None, limit: int, as_json: bool) -> None:
    """List crawl runs, newest first: status, start and end, pages, reports, failed URLs."""
    from storage.runs import list_runs

    db = open_archive_db(db_url)
    try:
        rows = list_runs(db.session, limit=limit)
    finally:
        db.close()
    for row in rows:
        if as_json:
            click.echo(json.dumps({
                "id": row.id, "status": row.status, "started_at": row.started_at.isoformat(),
                "finished_at": row.finished_at.isoformat() if row.finished_at else None,
                "seeds": row.seeds, "counts": row.counts, "schedule_id": row.schedule_id,
            }, ensure_ascii=False))
            continue
        pages = row.counts.get("pages", "—")
        reports = row.counts.get("reports_found", "—")
        seeds = row.seeds[0] + (f" (+{len(row.seeds) - 1})" if len(row.seeds) > 1 else "") if row.seeds else "—"
        click.echo(f"{row.id}\t{row.status}\t{_when(row.started_at)}\t{_when(row.finished_at)}\t"
                   f"pages {pages}\treports {reports}\tfailed URLs {row.error_total}\t{seeds}")
    if not rows:
        click.echo("no crawl runs recorded yet", err=True)


@click.command("errors")
@click.option("--run", "run_id", type=int, required=True, help="The crawl run (see `govreports runs`).")
@click.option("--kind", default=None,
              help="Only this kind: an error kind (timeout, dns, refused, tls, blocked…) or http_NNN.")
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per failed URL.")
def errors_command(run_id: int, kind: str | None, db_url: str | None, as_json: bool) -> None:
    """List a run's failed URLs: kind, URL, message, the page that linked it."""
    from storage.runs import run_errors, run_exists

    db = open_archive_db(db_url)
    try:
        if not run_exists(db.session, run_id):
            raise click.ClickException(f"no crawl run {run_id}; `govreports runs` lists them")
        rows = run_errors(db.session, run_id, kind=kind)
    finally:
        db.close()
    for row in rows:
        if as_json:
            click.echo(json.dumps({
                "url": row.url, "kind": row.kind, "status": row.status, "message": row.message,
                "referrer": row.referrer, "fetched_at": row.fetched_at.isoformat(),
            }, ensure_ascii=False))
        else:
            click.echo(f"{row.kind}\t{row.url}\t{row.message or ''}\t{row.referrer or ''}")
    what = f" of kind {kind}" if kind else ""
    click.echo(f"{len(rows)} failed URL(s){what} in run {run_id}", err=True)
