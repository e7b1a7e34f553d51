"""``govreports status --redis URL``: a distributed run's frontier, per-host progress and workers."""

from __future__ import annotations

from typing import Any

import click

from crawler.errors import GovreportsError


@click.command("status")
@click.option("--redis", "redis_url", required=True, metavar="URL", help="The Redis of the run.")
@click.option("--run-key", default="default", show_default=True, help="The run's name in Redis.")
@click.option("--hosts", "max_hosts", type=int, default=20, show_default=True,
              help="Hosts listed, busiest first.")
def status_command(redis_url: str, run_key: str, max_hosts: int) -> None:
    """Show the run's phase, frontier size, live workers and pages per host."""
    from crawler.frontier.workers import WorkerRegistry, text
    from crawler.run.distributed import DistributedRun

    run = DistributedRun.connect(redis_url, run_key)
    record = run.record()
    if record is None:
        raise GovreportsError(f"no distributed run under the run key {run_key!r} in {redis_url}")
    server, keys = run.server, run.keys
    registry = WorkerRegistry(server, keys, stale_after=30.0)
    click.echo(f"run {record.run_id} ({run_key}): phase {run.phase()}")
    click.echo(f"frontier: {server.zcard(keys.queue)} queued, {registry.in_flight()} held by workers, "
               f"{server.scard(keys.dupefilter)} requests seen")
    live = registry.live()
    click.echo(f"workers: {len(live)} live")
    for worker, age in sorted(live.items()):
        held = server.hlen(keys.processing(worker))
        click.echo(f"  {worker}\tlast heartbeat {age:.1f} s ago\tholds {held}")
    rows: Any = server.hgetall(keys.pages)
    pages = {text(k): int(v) for k, v in rows.items()}
    click.echo(f"hosts: {len(pages)}, pages handled: {sum(pages.values())}")
    for host, count in sorted(pages.items(), key=lambda kv: (-kv[1], kv[0]))[:max_hosts]:
        click.echo(f"  {host}\t{count}")
