"""Sample portals served from a process of their own (for ``scale.py``).

    .venv/bin/python benchmarks/portal_process.py --portals N [--scale S]

Starts ``N`` sample portals (seeds 0 .. N-1, scale ``S``, default 1), writes one JSON line to stdout (its seed URLs,
``--resolve`` arguments, the portals' certificates in one PEM, the expected reports as
``[agency, year, [urls]]``), then serves until its stdin is closed. In its own process the
portal server's CPU is its own (the benchmark reads it from ``/proc``) and its threads do not
share a GIL with anything else; what it serves is the ``SamplePortal`` of the tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Portals:
    """What the benchmark needs of the running portals (see module docstring)."""

    process: subprocess.Popen[bytes]
    seeds: list[str]
    resolve_args: list[str]
    certificates: str
    expected: set[tuple[str, int, tuple[str, ...]]]

    def stop(self) -> None:
        """Close its stdin (it stops its servers and exits); kill it if it does not."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(portals: int, scale: int = 1) -> Portals:
    """Start the portal process and read what it serves."""
    process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--portals", str(portals),
                                "--scale", str(scale)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise SystemExit("the portal process did not start (see its stderr above)")
    info = json.loads(line)
    expected = {(agency, int(year), tuple(urls)) for agency, year, urls in info["expected"]}
    return Portals(process, info["seeds"], info["resolve_args"], info["certificates"], expected)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from crawler.testbed.sample_portal import SamplePortal

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--portals", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    with ExitStack() as stack:
        portals = [stack.enter_context(SamplePortal(seed=seed, scale=args.scale))
                   for seed in range(args.portals)]
        info = {
            "seeds": [url for portal in portals for url in portal.seed_urls],
            "resolve_args": [arg for portal in portals for arg in portal.resolve_args()],
            "certificates": "".join(p.certificate_path.read_text() for p in portals),
            "expected": sorted({(r.agency, r.year, r.urls) for portal in portals
                                for r in portal.expected_reports()}),
        }
        sys.stdout.write(json.dumps(info, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        sys.stdin.read()  # serve until the benchmark closes our stdin


if __name__ == "__main__":
    main()
