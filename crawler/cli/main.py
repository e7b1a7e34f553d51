"""The ``govreports`` command line: crawl, demo, reports, export, parse, sample-portal.

Each command is a few lines over the library; library errors become clean messages.
Defaults: ``GOVREPORTS_DB`` and ``GOVREPORTS_ARCHIVE``, else ``./govreports-data/``.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from crawler.cli import exit_codes
from crawler.cli.common import DB_HELP, open_archive_db
from crawler.cli.errors import GovreportsGroup
from crawler.cli.exit_codes import crawl_exit_code
from crawler.cli.parse import parse_command
from crawler.cli.sample_portal import sample_portal_command
from crawler.cli.schedule import schedule_group
from crawler.cli.versions import diff_command, versions_command
from crawler.config import archive_target, default_archive_dir, default_db_url
from crawler.run.logformat import LOG_FORMATS

ARCHIVE_HELP = ("Archive folder for blobs and WARC files, or s3://bucket/prefix (an S3-compatible store; "
                "endpoint: $GOVREPORTS_S3_ENDPOINT_URL) (default: $GOVREPORTS_ARCHIVE or ./govreports-data/archive).")

# Politeness delays make sense against real portals, not against a server on this machine.
LOCAL_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_BACKOFF_BASE": 0.2,
    # a failing host on this machine is paused briefly, not for minutes
    "GOVREPORTS_BACKOFF_BASE": 0.2,
    "GOVREPORTS_BACKOFF_MAX": 2.0,
}

#: ``--full``: fetch everything again, as a first crawl would.
FULL_SETTINGS = {"GOVREPORTS_RECRAWL_POLICY": "crawler.archive.policy.FullPolicy"}


@click.group(cls=GovreportsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govreports")
def main() -> None:
    """govreports: find, archive and parse government information disclosure annual reports."""


@main.command()
@click.argument("urls", nargs=-1)
@click.option("--seeds", "seeds_file", type=click.Path(exists=True, dir_okay=False),
              help="File of seed URLs, one a line (# starts a comment).")
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), default=None, help=ARCHIVE_HELP)
@click.option("--max-pages", type=int, default=None, help="Stop after this many responses in all.")
@click.option("--max-pages-per-host", type=int, default=None, help="Page budget per host (default 5000).")
@click.option("--resume", is_flag=True,
              help="Continue the unfinished crawl of the same seeds (an interrupted or crashed one "
                   "is continued anyway; this also continues one stopped by --max-pages).")
@click.option("--insecure-host", "insecure_hosts", multiple=True,
              help="Do not verify TLS certificates of this host (recorded in provenance). Repeatable.")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Extra PEM certificates to trust.")
@click.option("--timeout", type=float, default=None, help="Download timeout in seconds (default 30).")
@click.option("--no-parse", is_flag=True, help="Archive only; do not parse reports as they arrive.")
@click.option("--local", is_flag=True, help="Turn politeness delays off (for servers on this machine).")
@click.option("--allow-private", is_flag=True,
              help="Also connect to private, loopback, link-local and reserved addresses "
                   "(by default only the seeds' own hosts may be on them).")
@click.option("--full", is_flag=True,
              help="Download everything again: no conditional requests, no settled pages skipped.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Judge report deadlines as of this day (default: today or $GOVREPORTS_TODAY).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="Alert settings file (default: $GOVREPORTS_CONFIG or ./govreports.toml).")
@click.option("--baseline", is_flag=True,
              help="Record this crawl (a first crawl of a large portal) without announcing it: its alert "
                   "events are kept, marked baseline, and never delivered or put in the feed.")
@click.option("--log-format", type=click.Choice(LOG_FORMATS), default="kv", show_default=True,
              help="Run log and progress lines: key=value lines, or JSON lines.")
@click.option("--progress-every", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds between progress lines on stderr when it is not a terminal.")
@click.option("--scope", type=click.Choice(["domain", "host"]), default="domain", show_default=True,
              help="domain: every host under a seed's registered domain (www.x.gov.cn and "
                   "xxgk.x.gov.cn); host: only the seed's own host.")
@click.option("--allow-host", "allow_hosts", multiple=True,
              help="Also crawl this host (host or host:port). Repeatable.")
@click.option("--resolve", "resolve_specs", multiple=True, metavar="HOST:ADDR",
              help="Connect to ADDR for HOST, as curl's --resolve (HOST:PORT:ADDR also accepted). Repeatable.")
@click.option("--redis", "redis_url", default=None, metavar="URL",
              help="Distributed mode: keep the frontier in this Redis (redis://host:6379/0) so "
                   "`govreports worker` processes on any machine join the crawl (docs/distributed.md).")
@click.option("--run-key", default="default", show_default=True,
              help="Distributed mode: the run's name in Redis (workers join by the same key).")
@click.option("--schedule-id", type=int, default=None, hidden=True,
              help="The schedule starting this crawl (set by `govreports schedule run`).")
def crawl(urls: tuple[str, ...], seeds_file: str | None, db_url: str | None, archive_dir: str | None,
          max_pages: int | None, max_pages_per_host: int | None, resume: bool,
          insecure_hosts: tuple[str, ...], ca_file: str | None, timeout: float | None,
          no_parse: bool, local: bool, allow_private: bool, full: bool, today: datetime | None,
          config_file: str | None, baseline: bool, log_format: str, progress_every: float,
          scope: str, allow_hosts: tuple[str, ...], resolve_specs: tuple[str, ...],
          redis_url: str | None, run_key: str, schedule_id: int | None) -> None:
    """Crawl portals from URLS (and --seeds FILE) and archive every report found."""
    from crawler.alerts.config import load_settings
    from crawler.fetch.resolve import ResolveSpecError, parse_resolve
    from crawler.run.runner import CrawlOptions, run_crawl
    from spiders.portal import read_seeds

    try:
        seeds = read_seeds(list(urls), seeds_file)
    except OSError as exc:
        raise click.ClickException(f"cannot read seeds file: {exc}") from exc
    try:
        alert_settings = load_settings(config_file)
    except OSError as exc:
        raise click.ClickException(f"alert settings: {exc}") from exc
    try:
        resolve = parse_resolve(resolve_specs)
    except ResolveSpecError as exc:
        raise click.ClickException(str(exc)) from exc
    target = archive_target(archive_dir)
    options = CrawlOptions(
        seeds=seeds,
        db_url=db_url or default_db_url(),
        archive_dir=target.local_dir,
        archive_store=target.store_url,
        max_pages=max_pages,
        max_pages_per_host=max_pages_per_host,
        resume=resume,
        insecure_hosts=list(insecure_hosts),
        ca_file=ca_file,
        timeout=timeout,
        parse=not no_parse,
        settings=(dict(LOCAL_SETTINGS) if local else {}) | (FULL_SETTINGS if full else {})
        | ({"GOVREPORTS_ALLOW_PRIVATE": True} if allow_private else {})
        | {"GOVREPORTS_PROGRESS_LOG_INTERVAL": progress_every},
        schedule_id=schedule_id,
        log_format=log_format,
        baseline=baseline,
        today=today.date() if today else None,
        alerts=alert_settings,
        scope=scope,
        allow_hosts=list(allow_hosts),
        resolve=resolve,
        redis_url=redis_url,
        run_key=run_key,
    )
    summary = run_crawl(options)
    report_crawl(summary, options)


def report_crawl(summary: Any, options: Any) -> None:
    """Print a crawl's summary and exit with its exit code (``crawl`` and ``worker``)."""
    click.echo(summary.render())
    code = crawl_exit_code(summary.status, summary.pages_ok)
    if code == exit_codes.INTERRUPTED:
        click.echo("\nInterrupted. Continue with the same command plus --resume.")
    elif code == exit_codes.NOTHING_FETCHED:
        click.echo(f"\nError: not one page could be fetched; see `govreports errors --run {summary.run_id}` "
                   "and check the seed URLs and this machine's network.", err=True)
    elif code != exit_codes.OK:
        click.echo(f"\nError: the crawl could not run; see the log in {options.archive_dir / 'logs'}", err=True)
    elif summary.status == "stopped":
        click.echo("\nStopped by --max-pages with pages left. Continue with the same command plus --resume.")
    sys.exit(code)


@main.command()
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), default=None, help=ARCHIVE_HELP)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated sample portal.")
def demo(db_url: str | None, archive_dir: str | None, seed: int) -> None:
    """Start the bundled sample portal on free ports, crawl it, and show what was found."""
    from crawler.fetch.resolve import parse_resolve
    from crawler.run.runner import CrawlOptions, run_crawl
    from crawler.testbed.sample_portal import SamplePortal

    with SamplePortal(seed=seed) as portal:
        click.echo("Sample portal running:")
        for url in portal.seed_urls:
            click.echo(f"  {url}")
        options = CrawlOptions(
            seeds=list(portal.seed_urls),
            db_url=db_url or default_db_url(),
            archive_dir=Path(archive_dir) if archive_dir else default_archive_dir(),
            ca_file=str(portal.certificate_path),
            settings=dict(LOCAL_SETTINGS),
            resolve=parse_resolve(portal.resolve),
        )
        summary = run_crawl(options)
        expected = portal.expected_reports()
        shapes = portal.shapes()
    click.echo(summary.render())
    click.echo(f"  the sample portal holds {len(expected)} reports")
    from crawler.reports.versions import normalize_agency

    db = open_archive_db(options.db_url)
    found = {(r.agency, r.year) for r in db.reports()}
    db.close()
    click.echo("  found / expected by shape:")
    for shape, keys in sorted(shapes.items()):
        hits = sum((normalize_agency(agency), year) in found for agency, year in keys)
        click.echo(f"    {shape:<28} {hits}/{len(keys)}")
    db_flag = f" --db {options.db_url}" if db_url else ""
    click.echo(
        "\nWhat to try next:\n"
        f"  govreports reports{db_flag}                 # the reports found, a line each\n"
        f"  govreports export{db_flag} --format jsonl --out reports.jsonl\n"
        f"  govreports serve{db_flag}                   # browse the archive at http://127.0.0.1:8700/\n"
        f"  govreports alerts{db_flag}                  # what changed: new, changed, removed, overdue reports\n"
        f"  govreports parse FILE --json                # parse any report file\n"
        f"  govreports sample-portal --port 8600        # serve the portal and crawl it yourself"
    )


@main.command()
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--checks", type=click.Choice(("ok", "failed")), default=None,
              help="ok: every check of the current parse holds; failed: at least one does not, "
                   "in the report or against last year's (the line then ends with the failed count).")
def reports(db_url: str | None, checks: str | None) -> None:
    """List the reports in the archive, a line each."""
    from storage.read.checks import check_counts

    db = open_archive_db(db_url)
    rows = db.reports()
    counts = check_counts(db.session, db.engine.dialect.name) if checks else {}
    shown = 0
    for row in rows:
        count = counts.get(row.id)
        if checks == "ok" and (count is None or count.failed):
            continue
        if checks == "failed" and not (count and count.failed):
            continue
        published = row.published_on.isoformat() if row.published_on else "—"
        line = f"{row.id}\t{row.year}\t{row.agency}\t{published}\t{row.n_documents} doc(s)\t{row.title}"
        if count is not None and checks:
            line += f"\t{count.failed}/{count.checks} checks failed"
        click.echo(line)
        shown += 1
    click.echo(f"{shown} report(s)", err=True)
    db.close()


@main.command()
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Time limit per document (s).")
def reparse(db_url: str | None, timeout: float) -> None:
    """Re-parse the archived reports with the current parser (fetches nothing; keeps old results)."""
    from crawler.parsing import PARSER_VERSION
    from crawler.parsing.reparse import reparse_archive

    db = open_archive_db(db_url)

    def show(done: int, total: int) -> None:
        click.echo(f"\rparsed {done}/{total}", nl=False, err=True)

    statuses = reparse_archive(db, timeout=timeout, progress=show)
    db.close()
    click.echo("", err=True)
    summary = ", ".join(f"{status} {count}" for status, count in sorted(statuses.items())) or "nothing to parse"
    click.echo(f"re-parsed with parser {PARSER_VERSION}: {summary}")


main.add_command(sample_portal_command, "sample-portal")
main.add_command(versions_command)
main.add_command(diff_command)
main.add_command(parse_command, "parse")

from crawler.cli.alerts import alerts_group  # noqa: E402

main.add_command(alerts_group)
main.add_command(schedule_group)

from crawler.cli.serve import serve_command  # noqa: E402

main.add_command(serve_command)

from crawler.cli.agencies import agencies_group  # noqa: E402
from crawler.cli.export import export_command  # noqa: E402
from crawler.cli.runs import errors_command, runs_command  # noqa: E402
from crawler.cli.status import status_command  # noqa: E402
from crawler.cli.synthetic import synthetic_archive_command  # noqa: E402
from crawler.cli.worker import worker_command  # noqa: E402

main.add_command(agencies_group)
main.add_command(runs_command)
main.add_command(errors_command)
main.add_command(export_command)
main.add_command(synthetic_archive_command)
main.add_command(worker_command)
main.add_command(status_command)

if __name__ == "__main__":  # pragma: no cover
    main()
