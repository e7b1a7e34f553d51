"""``govreports worker``: join a distributed crawl started by ``govreports crawl --redis``."""

from __future__ import annotations

from pathlib import Path

import click

from crawler.cli.common import DB_HELP
from crawler.config import default_archive_dir, default_db_url


@click.command("worker")
@click.option("--redis", "redis_url", required=True, metavar="URL",
              help="The Redis of the run (redis://host:6379/0).")
@click.option("--run-key", default="default", show_default=True, help="The run's name in Redis.")
@click.option("--db", "db_url", default=None, help=DB_HELP + " Every worker uses the same one.")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), default=None,
              help="The shared archive folder (every worker mounts the same one).")
def worker_command(redis_url: str, run_key: str, db_url: str | None, archive_dir: str | None) -> None:
    """Work on a distributed crawl until its frontier is drained (seeds and options come from
    the run in Redis)."""
    from crawler.cli.main import report_crawl
    from crawler.run.runner import CrawlOptions, run_crawl

    options = CrawlOptions(seeds=[], db_url=db_url or default_db_url(),
                           archive_dir=Path(archive_dir) if archive_dir else default_archive_dir(),
                           redis_url=redis_url, run_key=run_key, worker=True)
    report_crawl(run_crawl(options), options)
