"""The archive's writer in a process of its own: each response's WARC record and transaction
off the crawler's GIL.

:class:`ProcessWriter` is :class:`~crawler.archive.writer.ArchiveWriter` with the writes run
in one worker process instead of a thread: the same order (one process takes the writes one at
a time, in the order handed over), the same :meth:`busy` keys and :attr:`backlog`. The process
holds an :class:`~crawler.archive.session.ArchiveSession` of its own (its own database
connection, the run's WARC writer, the digests of earlier records), built from a
:class:`WriterRecipe`; the crawler hands it plain data (``crawler.archive.wire``: the request and
response, the capture record, the stored blob's digest and location) and names the session
method to run. Like the page-reading workers (``crawler.processes``) it comes from the
forkserver and exits at once when the crawler ends, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.archive.writer import ArchiveWriter
from crawler.errors import GovreportsError
from crawler.parsing.api import worker_context
from crawler.processes import exit_with

if TYPE_CHECKING:
    from crawler.archive.session import ArchiveSession
    from storage.objects import ArchiveStorage, UploadFailure
    from storage.repository import ArchiveDB

logger = logging.getLogger(__name__)


class WriteFailed(GovreportsError):
    """A write that failed in the writer process: its exception's type, message and traceback
    as text (the original may not pickle)."""

    topic = "archive write"


@dataclass(frozen=True)
class WriterRecipe:
    """What the writer process builds its session from (all of it pickles)."""

    db_url: str
    run_id: int
    #: Opens the archive's storage (blobs, WARC files) in the writer process.
    storage: Callable[[], ArchiveStorage]
    warc_max_bytes: int
    #: Called with the request and the writer's database before each capture's commit.
    on_capture: Callable[[Any, ArchiveDB], None] | None = None


class ProcessWriter(ArchiveWriter):
    """One worker process running archive writes in order; its own session and database."""

    kind = "process"

    def __init__(self, recipe: WriterRecipe) -> None:
        super().__init__(recipe.db_url, ProcessPoolExecutor(
            max_workers=1, mp_context=worker_context(), initializer=_start,
            initargs=(os.getpid(), recipe)))
        # Started here, before the crawl sends a request: starting it takes a while (the
        # forkserver imports the parsing code first, about 0.4 s), and ``ProcessPoolExecutor``
        # starts its process inside the first ``submit``, which would stall the event loop
        # mid-crawl (``crawler.processes``). A process that cannot open the archive fails here.
        try:
            self._pool.submit(os.getpid).result()
        except BaseException:
            self._pool.shutdown(wait=False, cancel_futures=True)
            raise

    @property
    def pid(self) -> int | None:
        """The writer process's id (None before the first write, and once it has exited)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return next(iter(processes), None)

    @property
    def db(self) -> ArchiveDB:
        raise RuntimeError("the writer process holds its database; the crawler has none of it")

    def operation(self, session: object, name: str) -> Any:
        """The method's name: the writer process runs it on its own session."""
        return name

    def _task(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Callable[[], Any]:
        assert isinstance(func, str), "a writer process runs a session method named by its name"
        return functools.partial(_run, func, args, kwargs)

    def finish(self) -> list[UploadFailure]:
        """Wait for the writes handed over, close the process's WARC file and database and
        wait for its WARC uploads (an object-store archive); the uploads that failed. Then
        the process exits. Idempotent. A writer process that died (killed, out of memory) is
        logged: its WARC file is left as it was, like a crawler's killed with it."""
        if self.closed:
            return []
        failures: list[UploadFailure] = []
        try:
            failures = self._pool.submit(_run, "close", (), {}).result()
        except (BrokenProcessPool, WriteFailed) as exc:
            logger.error("the archive's writer process failed at close", exc_info=exc)
        finally:
            self.closed = True
            self._pool.shutdown(wait=True)
        return failures

    def close(self) -> None:
        self.finish()


#: The writer process's session (set by :func:`_start`).
_session: ArchiveSession | None = None


def _start(crawler_pid: int, recipe: WriterRecipe) -> None:
    """In the writer process: leave with the crawler; open the session writes run on."""
    global _session
    exit_with(crawler_pid)
    from crawler.archive.session import ArchiveSession
    from storage.repository import ArchiveDB

    storage = recipe.storage()
    db = ArchiveDB(recipe.db_url, migrate=False)
    _session = ArchiveSession.open(db=db, archive_dir=Path(storage.url), run_id=recipe.run_id,
                                   insecure_hosts=set(), policy=None, alert_channels=[],
                                   on_capture=recipe.on_capture, storage=storage,
                                   warc_max_bytes=recipe.warc_max_bytes, writer="inline")


def _run(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """In the writer process: the session's method ``name``; a failure as :class:`WriteFailed`
    (the database is rolled back, the next write goes on)."""
    assert _session is not None
    try:
        if name == "close":
            failures = _session.close()
            _session.db.close()
            return failures
        return getattr(_session, name)(*args, **kwargs)
    except Exception as exc:
        with contextlib.suppress(Exception):  # the write's own failure is the one to report
            _session.db.session.rollback()
        raise WriteFailed(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}") from None
