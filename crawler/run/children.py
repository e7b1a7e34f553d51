"""Child processes die with the crawler, and their temporary folders go with them.

The parse worker and the document converters it starts (soffice, antiword) call
:func:`die_with_parent` first: Linux sends them SIGKILL when their parent dies, however it
dies (``kill -9`` included). Their temporary folders are named ``govreports-<kind>-<pid>-…``;
:func:`remove_stale_temp_dirs` (run when a crawl starts) deletes those whose process is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_TEMP_NAME = re.compile(r"^govreports-[a-z]+-(\d+)-")


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; no-op elsewhere).

    If the parent is already gone (it died before this call), exit at once.
    """
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if os.getppid() != parent or parent == 1:
        os._exit(1)


def temp_dir(kind: str) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder named after this process, so a later start can clean it up."""
    return tempfile.TemporaryDirectory(prefix=f"govreports-{kind}-{os.getpid()}-")


def remove_stale_temp_dirs(root: str | None = None) -> int:
    """Delete ``govreports-*-<pid>-*`` folders of processes that no longer run; return how many."""
    removed = 0
    base = Path(root or tempfile.gettempdir())
    for path in base.glob("govreports-*-*-*"):
        match = _TEMP_NAME.match(path.name)
        if match is None or not path.is_dir() or process_alive(int(match.group(1))):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += 1
    if removed:
        logger.info("removed temporary folders of dead processes", extra={"count": removed})
    return removed


def process_alive(pid: int) -> bool:
    """True while a process with this id exists (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
