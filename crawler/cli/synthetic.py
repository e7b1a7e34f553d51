"""``govreports synthetic-archive``: fill an empty archive with generated reports."""

from __future__ import annotations

import time
from pathlib import Path

import click

from crawler.config import default_archive_dir, default_db_url


@click.command("synthetic-archive")
@click.option("--reports", type=click.IntRange(min=1), required=True, help="How many reports.")
@click.option("--agencies", type=click.IntRange(min=1), default=None,
              help="How many agencies publish them (default: as many as needed, about reports/6).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--db", "db_url", default=None,
              help="Database URL, empty (default: $GOVREPORTS_DB or ./govreports-data/govreports.db).")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), default=None,
              help="Archive folder (default: $GOVREPORTS_ARCHIVE or ./govreports-data/archive).")
def synthetic_archive_command(reports: int, agencies: int | None, seed: int, db_url: str | None,
                              archive_dir: str | None) -> None:
    """Generate a realistic archive (reports, documents, WARC, versions, alerts) for trying things out."""
    from crawler.testbed.synthetic_archive import build_synthetic_archive

    url = db_url or default_db_url()
    folder = Path(archive_dir) if archive_dir else default_archive_dir()
    started = time.perf_counter()
    try:
        built = build_synthetic_archive(url, folder, reports=reports, seed=seed, agencies=agencies)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    elapsed = time.perf_counter() - started
    click.echo(f"wrote {built.reports} report(s) of {built.agencies} agencies on "
               f"{len(built.hosts)} hosts in {elapsed:.1f} s: {built.documents} documents, "
               f"{built.captures} captures, {built.versions} versions, "
               f"{built.alert_events} alert events")
    click.echo(f"examples: failed check report {built.failed_check_report_id}, "
               f"versioned report {built.versioned_report_id}, late report {built.late_report_id}")
    click.echo(f"database {url}\narchive {folder}")
