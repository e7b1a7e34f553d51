"""``govreports status --redis URL``: a distributed run's frontier, per-host progress, workers
and shared budgets (as text, or ``--json``)."""

from __future__ import annotations

import json
from typing import Any

import click

from crawler.errors import GovreportsError


@click.command("status")
@click.option("--redis", "redis_url", required=True, metavar="URL", help="The Redis of the run.")
@click.option("--run-key", default="default", show_default=True, help="The run's name in Redis.")
@click.option("--hosts", "max_hosts", type=int, default=20, show_default=True,
              help="Hosts listed, busiest first.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
def status_command(redis_url: str, run_key: str, max_hosts: int, as_json: bool) -> None:
    """Show the run's phase, frontier size, live workers, pages per host and shared budgets."""
    from crawler.run.distributed import DistributedRun
    from crawler.run.distributed_status import run_status

    run = DistributedRun.connect(redis_url, run_key)
    record = run.record()
    if record is None:
        raise GovreportsError(f"no distributed run under the run key {run_key!r} in {redis_url}")
    status = run_status(run, record, max_hosts=max_hosts)
    if as_json:
        click.echo(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(status_lines(status)))


def _used(used: int | None, limit: int | None) -> str:
    return f"{used} / {limit}" if limit else "no limit"


def status_lines(status: dict[str, Any]) -> list[str]:
    """The status as text lines."""
    frontier, budgets = status["frontier"], status["budgets"]
    phase = status["phase"] + (" (stopped at --max-pages)" if status["stopped"] else "")
    lines = [f"run {status['run_id']} ({status['run_key']}): phase {phase}",
             f"frontier: {frontier['queued']} queued, {frontier['held']} held by workers, "
             f"{frontier['seen']} requests seen",
             f"workers: {len(status['workers'])} live"]
    lines += [f"  {w['id']}\tlast heartbeat {w['heartbeat_age']:.1f} s ago\tholds {w['holds']}"
              for w in status["workers"]]
    per_host, search = budgets["pages_per_host"], budgets["site_search"]
    traps, max_pages = budgets["trap_caps"], budgets["max_pages"]
    lines += [f"pages (--max-pages): {_used(max_pages['used'], max_pages['limit'])}",
              f"page budget per host: {per_host['budget']}, "
              f"{len(per_host['exhausted'])} hosts exhausted",
              f"trap caps: {traps['cap']} URLs per pattern, {len(traps['hit'])} of "
              f"{traps['keys']} patterns hit" + "".join(f"\n  {k}" for k in traps["hit"][:20]),
              f"site-search budget per host: {search['budget']}, {search['counted']} URLs, "
              f"{len(search['exhausted'])} hosts exhausted"]
    hosts = status["hosts"]
    lines.append(f"hosts: {hosts['count']}, pages handled: {hosts['pages_handled']}")
    lines += [f"  {h['host']}\t{h['pages']} handled\tbudget {h['budget_used']} / "
              f"{per_host['budget']}\tsearch {h['search_used']} / {search['budget']}"
              for h in hosts["busiest"]]
    return lines
