"""``govreports sample-portal``: serve the sample portal until Ctrl-C."""

from __future__ import annotations

import time

import click


@click.command("sample-portal")
@click.option("--port", type=int, default=0, show_default=True,
              help="First port; site i listens on PORT+i (0: free ports).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated content.")
@click.option("--scale", type=int, default=1, show_default=True,
              help="Multiplies the noise pages (50 gives over 20,000 pages).")
@click.option("--slow-seconds", type=float, default=3.0, show_default=True,
              help="Delay of the slow page.")
def sample_portal_command(port: int, seed: int, scale: int, slow_seconds: float) -> None:
    """Serve simulated government sites (TRS, Hanweb, plain, HTTPS) with known annual reports."""
    from crawler.testbed.sample_portal.portal import SamplePortal

    portal = SamplePortal(seed=seed, scale=scale, base_port=port, slow_seconds=slow_seconds)
    try:
        portal.start()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on port {port}: {exc}; try --port 0") from exc
    with portal:
        try:  # Ctrl-C may come while the addresses are still being printed
            for url in portal.seed_urls:  # stdout: the seed URLs only, one a line
                click.echo(url)
            click.echo(f"sites: {', '.join(portal.sites)}; {len(portal.expected_reports())} reports; "
                       f"certificate of the HTTPS site: {portal.certificate_path}", err=True)
            click.echo("host names to resolve (govreports crawl ... "
                       + " ".join(portal.resolve_args()) + ")", err=True)
            click.echo("Serving until Ctrl-C.", err=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
