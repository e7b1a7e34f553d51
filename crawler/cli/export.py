"""``govreports export``: tables (csv, jsonl, parquet, xlsx) or a research bundle (BagIt)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from crawler.archive.stores import open_archive_storage
from crawler.cli.common import open_archive_db
from crawler.exports.naming import NAME_STYLES
from crawler.exports.query import CHECK_STATES, DEFAULT_BATCH, TEMPLATES, ExportFilters
from crawler.exports.writers import FORMATS


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress callback drawing a bar on stderr, or None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True,
                           show_eta=True) as bar:
        yield bar.update


@click.command("export")
@click.option("--db", "db_url", default=None,
              help="Database URL (default: $GOVREPORTS_DB or sqlite:///./govreports-data/govreports.db).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Table format; with --out.")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Output file; csv/parquet also write STEM.values.EXT and STEM.checks.EXT beside it.")
@click.option("--bundle", type=click.Path(), default=None,
              help="Write a research bundle (BagIt) to this folder, or zipped to FILE.zip.")
@click.option("--wacz", type=click.Path(dir_okay=False), default=None,
              help="Write the reports' captures as a WACZ web archive (FILE.wacz) for ReplayWeb.page or pywb.")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), default=None,
              help="Archive folder with blobs/ and warc/, or s3://bucket/prefix, for --bundle and --wacz "
                   "(default: $GOVREPORTS_ARCHIVE or ./govreports-data/archive).")
@click.option("--region", default=None, help="Agencies of this area or inside it, e.g. 固原市.")
@click.option("--host", default=None, help="Reports whose document is on this host (host:port).")
@click.option("--agency", default=None, help="Agencies whose name contains this text.")
@click.option("--year-from", type=int, default=None, help="First report year.")
@click.option("--year-to", type=int, default=None, help="Last report year.")
@click.option("--template", type=click.Choice(TEMPLATES), default=None,
              help="Template of the parsed tables (unknown includes unparsed reports).")
@click.option("--checks", type=click.Choice(CHECK_STATES), default=None,
              help="ok: every official check adds up; failed: at least one does not.")
@click.option("--names", type=click.Choice(NAME_STYLES), default="default", show_default=True,
              help="Column names: default (applications.granted.total) or stata (≤ 32 characters, "
                   "no dots; the codebook maps one to the other).")
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH, show_default=True,
              help="Reports read from the database at a time.")
def export_command(db_url: str | None, fmt: str | None, out: str | None, bundle: str | None, wacz: str | None,
                   archive_dir: str | None, batch_size: int, names: str, **filter_options: Any) -> None:
    """Export reports as tables (csv, jsonl, parquet, xlsx) or as a research bundle.

    Columns are documented in docs/exports.md. A progress bar shows on a terminal.
    """
    from crawler.exports.bundle import write_bundle
    from crawler.exports.query import count_reports
    from crawler.exports.run import export_to
    from crawler.exports.wacz import write_wacz

    if bundle is not None and (fmt is not None or out is not None):
        raise click.UsageError("--bundle writes every format; leave out --format and --out")
    if wacz is not None and (fmt is not None or out is not None or bundle is not None):
        raise click.UsageError("--wacz writes the web archive only; leave out --format, --out and --bundle")
    if bundle is None and wacz is None and (fmt is None or out is None):
        raise click.UsageError("give --format and --out, or --bundle DIR|FILE.zip, or --wacz FILE.wacz")
    filters = ExportFilters(**filter_options)
    db = open_archive_db(db_url)
    session = db.session
    try:
        with progress_bar(count_reports(session, filters), "exporting") as progress:
            if wacz is not None:
                packed = write_wacz(
                    session, Path(wacz), filters, progress=progress, batch_size=batch_size,
                    storage=open_archive_storage(archive_dir))
                message = (f"wrote a WACZ of {packed.reports} report(s), {packed.pages} page(s) and "
                           f"{len(packed.warc_files)} WARC file(s) to {packed.path}")
            elif bundle is not None:
                result = write_bundle(
                    session, Path(bundle), filters, progress=progress, batch_size=batch_size,
                    storage=open_archive_storage(archive_dir))
                message = (f"wrote a bundle of {result.reports} report(s), {result.documents} "
                           f"document(s) and {len(result.warc_files)} WARC file(s) to {result.path}")
            else:
                assert fmt is not None and out is not None
                exported = export_to(session, fmt, Path(out), filters, progress=progress,
                                     batch_size=batch_size, names=names)
                message = (f"wrote {exported.reports} report(s) to "
                           + ", ".join(str(p) for p in exported.paths))
    finally:
        db.close()
    click.echo(message)
