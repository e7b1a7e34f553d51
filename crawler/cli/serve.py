"""``govreports serve``: the read-only web app and API on the archive database."""

from __future__ import annotations

from pathlib import Path

import click

from crawler.config import default_archive_dir, default_db_url


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8700, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--db", "db_url", default=None,
              help="Archive database URL (default: $GOVREPORTS_DB or ./govreports-data/govreports.db).")
@click.option("--archive", "archive_dir", default=None, type=click.Path(path_type=Path),
              help="Archive folder holding blobs/ (default: $GOVREPORTS_ARCHIVE or "
                   "./govreports-data/archive).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve_command(host: str, port: int, db_url: str | None, archive_dir: Path | None,
                  log_level: str) -> None:
    """Serve the archive read-only: pages, JSON API (/api/v1, /openapi.json), Atom feed."""
    import uvicorn

    from crawler.web.app import create_app

    url = db_url or default_db_url()
    app = create_app(url, archive_dir or default_archive_dir())
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    click.echo(f"serving {url} read-only on http://{shown}:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False)
