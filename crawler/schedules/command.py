"""The ``govreports crawl`` command line a schedule runs, and whether it resumes a paused crawl."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

#: Schedule options that become ``govreports crawl`` flags: option -> (flag, kind).
#: ``flag`` options are booleans, ``value`` options take one value, ``multi`` a list of values.
CRAWL_FLAGS: dict[str, tuple[str, str]] = {
    "local": ("--local", "flag"),
    "no_parse": ("--no-parse", "flag"),
    "max_pages": ("--max-pages", "value"),
    "max_pages_per_host": ("--max-pages-per-host", "value"),
    "timeout": ("--timeout", "value"),
    "ca_file": ("--ca-file", "value"),
    "insecure_hosts": ("--insecure-host", "multi"),
    "scope": ("--scope", "value"),
    "allow_hosts": ("--allow-host", "multi"),
    "resolve": ("--resolve", "multi"),
}
#: Options kept with a schedule that are not crawl flags.
META_OPTIONS = ("seeds_file", "tz", "preset")


def check_options(options: dict[str, Any]) -> None:
    """Raise ValueError naming any option a schedule cannot carry."""
    unknown = sorted(set(options) - set(CRAWL_FLAGS) - set(META_OPTIONS))
    if unknown:
        raise ValueError(f"unknown schedule option(s): {', '.join(unknown)}")


def crawl_flags(options: dict[str, Any]) -> list[str]:
    """The ``govreports crawl`` flags for a schedule's options (unset ones left out)."""
    args: list[str] = []
    for key, (flag, kind) in CRAWL_FLAGS.items():
        value = options.get(key)
        if value is None or value is False or value == []:
            continue
        if kind == "flag":
            args.append(flag)
        elif kind == "multi":
            for item in value:
                args += [flag, str(item)]
        else:
            args += [flag, str(value)]
    return args


def crawl_command(*, schedule_id: int, seeds: list[str], options: dict[str, Any], db_url: str,
                  archive_dir: Path, resume: bool) -> list[str]:
    """The argv of the crawl subprocess for one start of a schedule."""
    return [
        sys.executable, "-m", "crawler.cli.main", "crawl", *seeds,
        "--db", db_url, "--archive", str(archive_dir), "--schedule-id", str(schedule_id),
        *crawl_flags(options), *(["--resume"] if resume else []),
    ]


def paused_run(archive_dir: Path, seeds: list[str]) -> int | None:
    """The id of the paused (interrupted or killed) crawl of these seeds, if one can resume."""
    from crawler.run.runner import RUN_FILE, job_dir
    from spiders.portal import read_seeds

    run_file = job_dir(archive_dir.resolve(), read_seeds(seeds, None)) / RUN_FILE
    try:
        return int(json.loads(run_file.read_text())["run_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
