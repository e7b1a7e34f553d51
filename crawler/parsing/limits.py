"""The parse worker's resource limits: address space, CPU time, and OCR's wider allowance.

The worker caps its address space (``RLIMIT_AS``) at what it had when it started plus the
memory limit. OCR's neural networks need more than any text extractor (about 1.6 GB of
address space for one 200 dpi page, 0.9 GB resident), so an OCR job widens the cap to
``GOVREPORTS_OCR_MEMORY`` and marks the worker *spent*: it answers, then exits, and the
next document gets a fresh worker under the normal cap.
"""

from __future__ import annotations

import resource

from crawler.config import env_value

#: Memory the parse worker may use beyond what it had when it started (bytes).
DEFAULT_MEMORY_LIMIT = 1024 * 1024 * 1024
#: Memory an OCR job may use beyond the worker's start (bytes); ``GOVREPORTS_OCR_MEMORY``.
DEFAULT_OCR_MEMORY = 3 * 1024 * 1024 * 1024

_start = 0  # the worker's address space when its cap was set
_ceiling = 0  # the current cap (0: none)
_spent = False  # the worker must exit after this job


def address_space() -> int:
    """This process's virtual memory size in bytes (Linux), 0 when unknown."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(memory_limit: int) -> None:
    """Cap the address space at what the worker has now plus ``memory_limit`` (0: no cap)."""
    global _start, _spent
    _spent = False
    if memory_limit <= 0:
        return
    _start = address_space()
    _set_ceiling(_start + memory_limit)


def widen_for_ocr() -> None:
    """Let this job use the OCR allowance; the worker exits after answering."""
    global _spent
    _spent = True
    if not _ceiling:
        return
    allowance = int(env_value("GOVREPORTS_OCR_MEMORY") or DEFAULT_OCR_MEMORY)
    if allowance <= 0:
        _set_ceiling(resource.RLIM_INFINITY)
    elif _start + allowance > _ceiling:
        _set_ceiling(_start + allowance)


def spent() -> bool:
    """True when the worker widened its limits for a job and must be replaced."""
    return _spent


def hit_memory_limit() -> bool:
    """True when this process's peak address space reached its cap (less 32 MB).

    Libraries report failed allocations in their own words (lxml: "unknown error", onnxruntime:
    "bad_alloc"), so an error is read as running out of memory when the peak says so.
    """
    if not _ceiling or _ceiling == resource.RLIM_INFINITY:
        return False
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024 >= _ceiling - (32 << 20)
    except (OSError, ValueError, IndexError):
        return False
    return False


def limit_cpu(seconds: float) -> None:
    """Let the next document use at most ``seconds`` more CPU time (then SIGXCPU ends us)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _set_ceiling(ceiling: int) -> None:
    global _ceiling
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = hard if ceiling == resource.RLIM_INFINITY else min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    _ceiling = ceiling
