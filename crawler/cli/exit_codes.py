"""Exit codes of ``govreports`` commands (documented in the README).

======  ==================================================================================
code    meaning
======  ==================================================================================
0       done (a crawl completed, or stopped by --max-pages, even if some pages failed:
        see ``govreports errors``)
1       could not run, or the crawl failed or crashed: the message says what to fix
2       wrong usage (unknown option, missing argument)
3       the crawl ran but not one page could be fetched (every seed failed)
4       the crawl was interrupted (Ctrl-C, SIGTERM): continue it with ``--resume``
======  ==================================================================================
"""

from __future__ import annotations

OK = 0
FAILED = 1
USAGE = 2
NOTHING_FETCHED = 3
INTERRUPTED = 4


def crawl_exit_code(status: str, pages_fetched: int) -> int:
    """The exit code of a crawl that ended with run ``status`` and ``pages_fetched`` good pages."""
    if status == "interrupted":
        return INTERRUPTED
    if status not in ("completed", "stopped"):  # failed, crashed
        return FAILED
    return OK if pages_fetched else NOTHING_FETCHED
