"""Peak memory per process of a running process tree, sampled from ``/proc`` (Linux only).

:class:`TreeSampler` watches a root process and every descendant (by parent id, plus any
process in the root's session: a browser that detaches into its own group is still found
through its parent). Every ``interval`` seconds it reads each one's ``VmRSS`` and keeps:
the largest single-process RSS per *kind* (``crawler`` for the root itself, ``parse worker``,
``parse forkserver``, ``chromium browser`` (and ``chromium renderer``, ``… gpu-process``,
``… utility``, ``… zygote``), ``playwright driver``, ``libreoffice``, ``other``), the
largest sum over the whole tree (and its make-up at that moment), and a timeline of the
root's RSS and the tree's sum. ``ru_maxrss`` from ``wait4`` stays the authority for the single
largest process; sampling can miss a spike shorter than ``interval``.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
_CHROMIUM_TYPE = re.compile(r"--type=([\w-]+)")


def classify(cmdline: str, comm: str, parent_kind: str | None) -> str:
    """The helper kind of a process, from its command line and its parent's kind."""
    text = f"{comm} {cmdline}".lower()
    if "soffice" in text or "libreoffice" in text or "oosplash" in text:
        return "libreoffice"
    if "chrom" in text or "headless_shell" in text:
        kind = _CHROMIUM_TYPE.search(cmdline)
        return f"chromium {kind.group(1) if kind else 'browser'}"
    if "playwright" in text or comm == "node":
        return "playwright driver"
    if "forkserver" in text:  # the forkserver's children are the parse workers it forked
        return "parse worker" if parent_kind in ("parse forkserver", "parse worker") else "parse forkserver"
    if "resource_tracker" in text:
        return "other"
    return "other"


_TICK = os.sysconf("SC_CLK_TCK")


def _read_stat(pid: int) -> tuple[int, int, float] | None:
    """(parent pid, session id, own CPU seconds: user + system) of ``pid``; None when gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    fields = raw[raw.rfind(b")") + 2:].split()  # after "pid (comm) ": state ppid pgrp session
    return int(fields[1]), int(fields[3]), (int(fields[11]) + int(fields[12])) / _TICK


def cpu_seconds(pid: int) -> float | None:
    """Own CPU seconds (user + system) of ``pid``; None when it is gone."""
    stat = _read_stat(pid)
    return stat[2] if stat is not None else None


def _field_kib(path: Path, name: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _rss_kib(pid: int) -> int:
    return _field_kib(PROC / str(pid) / "status", "VmRSS:")


def _pss_kib(pid: int) -> int:
    """Proportional set size: shared pages (the browser's code, mapped by each of its
    processes) are split between the processes that map them, so a sum counts them once."""
    return _field_kib(PROC / str(pid) / "smaps_rollup", "Pss:")


def _describe(pid: int) -> tuple[str, str]:
    try:
        cmdline = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        comm = (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return "", ""
    return cmdline, comm


@dataclass
class TreeFigures:
    """What the sampler saw, in MB."""

    samples: int = 0
    #: Largest single-process RSS seen per kind.
    peak_by_kind: dict[str, float] = field(default_factory=dict)
    #: Largest sum of the tree's PSS (shared pages counted once), and the sum per kind then.
    peak_tree_mb: float = 0.0
    tree_at_peak: dict[str, float] = field(default_factory=dict)
    #: Processes seen per kind (distinct pids).
    processes_by_kind: dict[str, int] = field(default_factory=dict)
    #: CPU seconds (user + system) of every process of the tree as last seen alive: unlike
    #: ``wait4``'s, this counts processes the root did not reap (a process living less than
    #: one interval is missed).
    cpu_seconds: float = 0.0
    #: (seconds since start, crawler RSS MB, tree PSS MB), one row per ``timeline_every`` seconds.
    timeline: list[tuple[float, float, float]] = field(default_factory=list)


class TreeSampler:
    """Samples the tree under ``root`` in a thread until :meth:`stop`."""

    def __init__(self, root: int, interval: float = 0.5, timeline_every: float = 5.0) -> None:
        self.root = root
        self.interval = interval
        self.timeline_every = timeline_every
        self.figures = TreeFigures()
        self._kinds: dict[int, tuple[str, str]] = {}  # pid -> (cmdline, kind), cached per pid
        self._cpu: dict[int, float] = {}  # pid -> CPU seconds when last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> TreeFigures:
        self._stop.set()
        self._thread.join()
        return self.figures

    def _tree(self) -> dict[int, int]:
        """pid -> parent pid for the root and all its descendants (and its session); notes
        each one's CPU seconds."""
        parents: dict[int, int] = {}
        session: set[int] = set()
        cpu: dict[int, float] = {}
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            stat = _read_stat(int(entry.name))
            if stat is not None:
                parents[int(entry.name)] = stat[0]
                cpu[int(entry.name)] = stat[2]
                if stat[1] == self.root:
                    session.add(int(entry.name))
        children: dict[int, list[int]] = {}
        for pid, ppid in parents.items():
            children.setdefault(ppid, []).append(pid)
        found, todo = set(), [self.root, *session]
        while todo:
            pid = todo.pop()
            if pid in found or pid not in parents:
                continue
            found.add(pid)
            todo.extend(children.get(pid, ()))
        for pid in found:
            self._cpu[pid] = cpu[pid]
        self.figures.cpu_seconds = round(sum(self._cpu.values()), 2)
        return {pid: parents[pid] for pid in found}

    def _kind(self, pid: int, tree: dict[int, int]) -> str:
        if pid == self.root:
            return "crawler"
        cmdline, comm = _describe(pid)
        cached = self._kinds.get(pid)
        if cached is not None and cached[0] == cmdline:  # same program (a fork may exec later)
            return cached[1]
        parent = self._kinds.get(tree.get(pid, 0))
        kind = classify(cmdline, comm, parent[1] if parent else None)
        if cmdline:
            if cached is None or cached[1] != kind:
                self.figures.processes_by_kind[kind] = self.figures.processes_by_kind.get(kind, 0) + 1
            self._kinds[pid] = (cmdline, kind)
        return kind

    def sample(self, elapsed: float) -> None:
        """Take one sample (the thread calls this; tests may too)."""
        tree = self._tree()
        sums: dict[str, float] = {}
        root_mb = 0.0
        for pid in sorted(tree):  # parents usually have lower pids: their kind is known first
            mb = _rss_kib(pid) / 1024
            if mb == 0:
                continue
            kind = self._kind(pid, tree)
            peaks = self.figures.peak_by_kind
            peaks[kind] = max(peaks.get(kind, 0.0), mb)
            sums[kind] = sums.get(kind, 0.0) + (_pss_kib(pid) / 1024 or mb)
            if pid == self.root:
                root_mb = mb
        total = sum(sums.values())
        figures = self.figures
        figures.samples += 1
        if total > figures.peak_tree_mb:
            figures.peak_tree_mb = total
            figures.tree_at_peak = {k: round(v, 1) for k, v in sorted(sums.items())}
        if root_mb and (not figures.timeline or elapsed - figures.timeline[-1][0] >= self.timeline_every):
            figures.timeline.append((round(elapsed, 1), round(root_mb, 1), round(total, 1)))

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # a process gone mid-read must not end sampling
                self.sample(time.monotonic() - started)
            self._stop.wait(self.interval)
