"""The parse worker's resource limits: address space, CPU time, and OCR's wider allowance.

OCR's time budget is explicit: a scanned PDF's job gets ``GOVREPORTS_OCR_PAGE_SECONDS``
(default 60 s; RapidOCR takes about 6 s a page at 200 dpi on a free CPU, ten times that
on a machine shared by many jobs: 69 s a page measured at load 11 on 2 cores) per page on top of the document's time limit. The worker raises its own CPU
limit by twice that (onnxruntime runs on every core) and tells the caller
(:class:`Extension`), which moves its deadline; so a 5-page scan gets 60 + 5 × 60 s in a crawl
whose parse timeout is 60 s. The caller may choose another rate per job
(``parse_bytes(..., ocr_page_seconds=...)``; 0: OCR must fit the plain time limit).

The worker caps its address space (``RLIMIT_AS``) at what it had when it started plus the
memory limit. OCR's neural networks need more than any text extractor (about 1.6 GB of
address space for one 200 dpi page, 0.9 GB resident), so an OCR job widens the cap to
``GOVREPORTS_OCR_MEMORY`` and marks the worker *spent*: it answers, then exits, and the
next document gets a fresh worker under the normal cap.
"""

from __future__ import annotations

import resource
from collections.abc import Callable
from dataclasses import dataclass

from crawler.config import env_value
from crawler.settings import GOVREPORTS_OCR_PAGE_SECONDS

#: Memory the parse worker may use beyond what it had when it started (bytes).
DEFAULT_MEMORY_LIMIT = 1024 * 1024 * 1024
#: Memory an OCR job may use beyond the worker's start (bytes); ``GOVREPORTS_OCR_MEMORY``.
DEFAULT_OCR_MEMORY = 3 * 1024 * 1024 * 1024

#: Seconds of time limit an OCR job gets per scanned page, on top of the document's limit.
DEFAULT_OCR_PAGE_SECONDS = GOVREPORTS_OCR_PAGE_SECONDS

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


@dataclass(frozen=True)
class Extension:
    """The worker's word to the caller: this job's time limit grows by ``seconds`` (OCR)."""

    seconds: float
    pages: int


_page_seconds = DEFAULT_OCR_PAGE_SECONDS  # this job's OCR rate
_notify: Callable[[Extension], None] | None = None  # tells the caller (None: not in a worker)


def ocr_page_seconds(chosen: float | None = None) -> float:
    """The OCR time budget per page: ``chosen``, else ``$GOVREPORTS_OCR_PAGE_SECONDS``, else the
    settings' default."""
    if chosen is not None:
        return max(0.0, float(chosen))
    configured = env_value("GOVREPORTS_OCR_PAGE_SECONDS")
    return max(0.0, float(configured)) if configured else DEFAULT_OCR_PAGE_SECONDS


def start_job(page_seconds: float, notify: Callable[[Extension], None] | None) -> None:
    """Set this job's OCR rate and how to tell the caller about an extension (worker only)."""
    global _page_seconds, _notify
    _page_seconds, _notify = page_seconds, notify


def extend_for_ocr(pages: int) -> float:
    """Grant this job the OCR budget for ``pages`` pages: raise the CPU limit and tell the
    caller to wait that much longer. Returns the seconds granted (0 outside a worker)."""
    seconds = pages * _page_seconds
    if seconds <= 0 or _notify is None:
        return 0.0
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft != resource.RLIM_INFINITY:
        # onnxruntime runs on every core: its CPU time outruns the wall clock, so allow 2x
        raised = soft + int(2 * seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (raised if hard == resource.RLIM_INFINITY
                                                 else min(raised, hard), hard))
    _notify(Extension(seconds, pages))
    return seconds


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
