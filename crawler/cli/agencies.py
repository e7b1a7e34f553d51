"""``govreports agencies import FILE`` and ``agencies list``: the registry of agencies that should report."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crawler.cli.common import DB_HELP, open_archive_db


@click.group("agencies")
def agencies_group() -> None:
    """The agency registry: which agencies should publish a report, their area and portal."""


@agencies_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--db", "db_url", default=None, help=DB_HELP)
def import_command(file: Path, db_url: str | None) -> None:
    """Add or update agencies from a CSV (name, aliases, division_code, level, parent, portal_url)."""
    from crawler.reports.registry import parse_registry
    from storage.agencies import import_agencies

    parsed = parse_registry(file.read_bytes())
    for error in parsed.errors:
        click.echo(f"{file}: {error}", err=True)
    db = open_archive_db(db_url, must_exist=False)  # a registry may come before the first crawl
    try:
        counts = import_agencies(db.session, parsed.entries)
    finally:
        db.close()
    click.echo(f"imported {counts.added} new and {counts.updated} updated agencies; "
               f"{len(parsed.errors)} row(s) rejected")
    if parsed.errors:
        raise SystemExit(1)


@agencies_group.command("list")
@click.option("--region", default=None,
              help="Only agencies in this official division: a name (宁夏, 固原市) or code (64, 6404, 640422).")
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per agency.")
def list_command(region: str | None, db_url: str | None, as_json: bool) -> None:
    """List registered agencies with their division, level, parent and portal."""
    from crawler.reports.divisions import division, find_region
    from storage.agencies import registered_agencies

    prefix = find_region(region).prefix if region else None
    db = open_archive_db(db_url)
    try:
        rows = registered_agencies(db.session, division_prefix=prefix)
    finally:
        db.close()
    for agency in rows:
        area = division(agency.division_code)
        if as_json:
            click.echo(json.dumps({"name": agency.name, "aliases": agency.aliases,
                                   "division_code": agency.division_code, "division": area.name,
                                   "division_en": area.name_en, "level": agency.level,
                                   "parent": agency.parent, "portal_url": agency.portal_url},
                                  ensure_ascii=False))
        else:
            click.echo(f"{agency.division_code}\t{area.name}\t{agency.level}\t{agency.name}\t"
                       f"{agency.parent or ''}\t{agency.portal_url or ''}")
    click.echo(f"{len(rows)} agenc{'y' if len(rows) == 1 else 'ies'}"
               + (f" in {region} ({prefix})" if prefix else ""), err=True)
