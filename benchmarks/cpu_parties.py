"""Where the CPU of a benchmark run goes, per party, read from ``/proc`` (Linux only).

:class:`CpuParties` samples every process of the machine every ``interval`` seconds and
charges each one's CPU seconds (user + system, as last seen alive) to a party:

* a **process tree** given by its root pid (a worker: the crawler process and every
  descendant, plus anything in its session; split into ``crawler`` for the root and
  ``helpers`` for the rest: parse workers, Chromium, LibreOffice…);
* the **PostgreSQL backends of one database** (their command line names the database);
* **PostgreSQL's other processes** (background writers, other users' backends: the server is
  shared) and **redis-server** (shared too);
* **this process** (``getrusage``) and the **rest of the machine** (``/proc/stat`` busy time
  minus everything above: other engineers' jobs on a shared machine).

Processes alive when sampling starts are charged only what they used since. A process that
lives less than one interval is missed; call :meth:`CpuParties.sample` once more after a
root has exited but before it is reaped (``os.waitid(..., WNOWAIT)``) to catch its last
seconds.
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
from pathlib import Path

PROC = Path("/proc")
_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, int, int, float] | None:
    """(comm, parent pid, session id, CPU seconds) of ``pid``; None when gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    close = raw.rfind(b")")
    comm = raw[raw.find(b"(") + 1:close].decode("utf-8", "replace")
    fields = raw[close + 2:].split()
    return comm, int(fields[1]), int(fields[3]), (int(fields[11]) + int(fields[12])) / _TICK


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine was busy since boot (all cores; not idle or iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / _TICK


def _self_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuParties:
    """CPU seconds per party while it runs (see module docstring)."""

    def __init__(self, *, database: str | None = None, interval: float = 0.5) -> None:
        self.database = database
        self.interval = interval
        self.roots: dict[int, tuple[str, bool]] = {}  # root pid -> (party name, split)
        self._lock = threading.Lock()
        self._base: dict[int, float] = {}  # pid -> CPU seconds when sampling started
        self._last: dict[tuple[str, int], float] = {}  # (party, pid) -> CPU seconds last seen
        self._postgres: dict[int, bool] = {}  # postgres pid -> a backend of our database
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-parties", daemon=True)
        for pid, stat in self._scan().items():
            self._base[pid] = stat[3]
        self._machine0 = machine_busy_seconds()
        self._self0 = _self_seconds()
        self.machine = 0.0
        self.benchmark = 0.0

    def add_root(self, name: str, pid: int, *, split: bool = True) -> None:
        """Charge ``pid`` and its descendants to ``name`` from now on (``split``: the root as
        ``<name> crawler``, its descendants as ``<name> helpers``)."""
        with self._lock:
            self.roots[pid] = (name, split)

    def start(self) -> CpuParties:
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        """Stop sampling; the CPU seconds per party (see :meth:`figures`)."""
        self._stop.set()
        self._thread.join()
        self.sample()
        return self.figures()

    @staticmethod
    def _scan() -> dict[int, tuple[str, int, int, float]]:
        found = {}
        for entry in PROC.iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None:
                    found[int(entry.name)] = stat
        return found

    def sample(self) -> None:
        """Take one sample now (thread-safe)."""
        with self._lock:
            procs = self._scan()
            children: dict[int, list[int]] = {}
            for pid, (_, ppid, _, _) in procs.items():
                children.setdefault(ppid, []).append(pid)
            owner: dict[int, str] = {}
            for root, (name, split) in self.roots.items():
                todo = [root, *(p for p, s in procs.items() if s[2] == root)]
                while todo:
                    pid = todo.pop()
                    if pid in owner or pid not in procs:
                        continue
                    owner[pid] = name if not split else name + (" crawler" if pid == root else " helpers")
                    todo.extend(children.get(pid, ()))
            for pid, (comm, _, _, cpu) in procs.items():
                party = owner.get(pid)
                if party is None and comm == "postgres":
                    # a new backend shows the postmaster's command line until it names its
                    # database: only a match is remembered
                    if not self._postgres.get(pid):
                        self._postgres[pid] = bool(self.database) and f" {self.database} " in _cmdline(pid)
                    ours = self._postgres[pid]
                    party = "postgresql: this run's database" if ours else "postgresql: rest of the server"
                elif party is None and comm == "redis-server":
                    party = "redis-server"
                if party is not None:
                    self._last[(party, pid)] = cpu - self._base.get(pid, 0.0)
            self.machine = machine_busy_seconds() - self._machine0
            self.benchmark = _self_seconds() - self._self0

    def figures(self) -> dict[str, float]:
        """CPU seconds per party, plus ``benchmark`` (this process), ``machine`` (all of it)
        and ``rest of the machine`` (machine minus every party)."""
        with self._lock:
            totals: dict[str, float] = {}
            for (party, _), seconds in self._last.items():
                totals[party] = totals.get(party, 0.0) + max(seconds, 0.0)
            totals["benchmark"] = self.benchmark
            rest = self.machine - sum(totals.values())
            totals = {k: round(v, 1) for k, v in sorted(totals.items())}
            totals["rest of the machine"] = round(max(rest, 0.0), 1)
            totals["machine"] = round(self.machine, 1)
            return totals

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with contextlib.suppress(Exception):  # a process gone mid-read must not end sampling
                self.sample()
