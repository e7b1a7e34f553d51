"""``govreports serve``: the read-only web app and API on the archive database."""

from __future__ import annotations

import socket

import click

from crawler.config import archive_target, default_db_url
from crawler.errors import ConfigError


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8700, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: a free port, shown when serving starts).")
@click.option("--db", "db_url", default=None,
              help="Archive database URL (default: $GOVREPORTS_DB or ./govreports-data/govreports.db).")
@click.option("--archive", "archive_dir", default=None,
              help="Archive folder holding blobs/, or s3://bucket/prefix (default: "
                   "$GOVREPORTS_ARCHIVE or ./govreports-data/archive).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="Settings file: its [alerts] base_url is the public address the Atom feed "
                   "links under ($GOVREPORTS_BASE_URL overrides it), its [alerts.deadlines] the "
                   "legal deadlines reports are judged on time or late by (default: "
                   "$GOVREPORTS_CONFIG or ./govreports.toml).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve_command(host: str, port: int, db_url: str | None, archive_dir: str | None,
                  config_file: str | None, log_level: str) -> None:
    """Serve the archive read-only: pages, JSON API (/api/v1, /openapi.json), Atom feed."""
    import uvicorn

    from crawler.alerts.config import load_settings
    from crawler.web.app import create_app

    url = db_url or default_db_url()
    target = archive_target(archive_dir)
    settings = load_settings(config_file)
    app = create_app(url, target.store_url or target.local_dir, public_url=settings.base_url,
                     deadlines=settings.deadlines())
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}): pick another --port "
            "(0 takes a free one) or stop what is using it") from exc
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    config = uvicorn.Config(app, log_level=log_level, proxy_headers=False)
    # announced after the bind: whoever reads this line can connect at once
    click.echo(f"serving {url} read-only on http://{shown}:{bound_port}/ (Ctrl-C stops)", err=True)
    uvicorn.Server(config).run(sockets=[sock])


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free one), IPv4 or IPv6."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
