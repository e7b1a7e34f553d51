"""benchmarks/proctree.py: per-kind peak RSS of a real process tree, read from /proc."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from benchmarks.proctree import TreeSampler, classify

# The root holds ~20 MB; its child (the "other" kind) holds ~80 MB and burns 1 CPU-second.
_TREE = """
import subprocess, sys, time
ballast = bytearray(20 * 1024 * 1024)
child = subprocess.Popen([sys.executable, "-c",
    "import time; b = bytearray(80 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); "
    "t = time.process_time()\\nwhile time.process_time() - t < 1: pass\\ntime.sleep(1)"])
ballast[::4096] = b"x" * len(ballast[::4096])
child.wait()
time.sleep(0.5)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sampler_finds_a_grandchild_and_keeps_each_kinds_peak() -> None:
    root = subprocess.Popen([sys.executable, "-c", _TREE])
    sampler = TreeSampler(root.pid, interval=0.1, timeline_every=0.5).start()
    root.wait(timeout=30)
    figures = sampler.stop()
    assert figures.samples > 5
    assert 20 <= figures.peak_by_kind["crawler"] < 60
    assert 80 <= figures.peak_by_kind["other"] < 120
    assert figures.peak_tree_mb >= 100  # both alive at once, summed
    assert set(figures.tree_at_peak) == {"crawler", "other"}
    assert figures.processes_by_kind == {"other": 1}
    assert len(figures.timeline) >= 3 and figures.timeline[0][0] < figures.timeline[-1][0]
    assert 1.0 <= figures.cpu_seconds < 30  # the child's CPU second, seen before it was reaped


def test_sampler_of_a_gone_process_sees_nothing() -> None:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    sampler = TreeSampler(done.pid, interval=0.05).start()
    time.sleep(0.2)
    figures = sampler.stop()
    assert figures.peak_by_kind == {} and figures.peak_tree_mb == 0


@pytest.mark.parametrize(("cmdline", "comm", "parent", "kind"), [
    ("/usr/lib/chromium/chromium --type=renderer --headless", "chromium", "playwright driver",
     "chromium renderer"),
    ("/usr/lib/chromium/chromium --headless --no-sandbox --remote-debugging-pipe", "chromium",
     "playwright driver", "chromium browser"),
    ("/usr/lib/libreoffice/program/soffice.bin --headless --convert-to docx", "soffice.bin", None,
     "libreoffice"),
    ("/x/node /x/playwright/driver/package/cli.js run-driver", "node", "crawler", "playwright driver"),
    ("python -c from multiprocessing.forkserver import main; main(3, 4)", "python", "crawler",
     "parse forkserver"),
    ("python -c from multiprocessing.forkserver import main; main(3, 4)", "python",
     "parse forkserver", "parse worker"),
    ("python -c from multiprocessing.resource_tracker import main;main(5)", "python", None, "other"),
])
def test_classify(cmdline: str, comm: str, parent: str | None, kind: str) -> None:
    assert classify(cmdline, comm, parent) == kind
