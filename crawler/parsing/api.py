"""Parse one document into the record, safely: size cap, format detection, a time limit.

Extraction and reading run in a forked worker process, reused from one document to the next,
that is killed (and replaced) when a document overruns its time limit, so a pathological
file cannot hang the caller (e.g. the crawl).

The worker also runs under resource limits (:func:`set_worker_limits`): an address-space
limit (``resource.setrlimit(RLIMIT_AS)``: what it had when it started plus the memory limit,
default 1 GB; OCR jobs get more, see :mod:`crawler.parsing.limits`) and a CPU-time limit per
document (``RLIMIT_CPU``). Running out of memory gives ``too_large``, out of CPU time
``timeout``; the caller goes on either way.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from crawler.fetch.encoding import decode_document
from crawler.parsing import limits
from crawler.parsing.detect import Kind, detect
from crawler.parsing.layout import Doc
from crawler.parsing.limits import DEFAULT_MEMORY_LIMIT
from crawler.parsing.outcome import ParseFailure, ParseOutcome
from crawler.parsing.record import NotAReport, build_record

MAX_BYTES = 100 * 1024 * 1024
#: CPU seconds a document may take in the worker on top of its wall-clock timeout.
CPU_GRACE = 5.0


def parse_file(
    path: str | Path,
    *,
    timeout: float = 60.0,
    metadata: dict[str, Any] | None = None,
    max_bytes: int = MAX_BYTES,
    ocr_page_seconds: float | None = None,
) -> ParseOutcome:
    """Parse a file; files over ``max_bytes`` are refused before they are read."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        return ParseOutcome("corrupt", f"cannot read {p}: {exc.strerror or exc}")
    if size > max_bytes:
        return _too_large(size, max_bytes)
    data = p.read_bytes()
    return parse_bytes(data, filename=p.name, timeout=timeout, metadata=metadata, max_bytes=max_bytes,
                       ocr_page_seconds=ocr_page_seconds)


def parse_bytes(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    timeout: float = 60.0,
    metadata: dict[str, Any] | None = None,
    max_bytes: int = MAX_BYTES,
    isolate: bool = True,
    ocr_page_seconds: float | None = None,
) -> ParseOutcome:
    """Parse a document held in memory. ``metadata`` ("title", "published_on") wins over the text.

    ``timeout`` bounds the document; a scanned PDF read by OCR gets ``ocr_page_seconds`` more
    per page (default ``GOVREPORTS_OCR_PAGE_SECONDS``, 60 s; see :mod:`crawler.parsing.limits`).
    """
    if len(data) > max_bytes:
        return _too_large(len(data), max_bytes)
    if not data.strip():
        return ParseOutcome("corrupt", "the document is empty; fetch it again")
    if not isolate:
        return _parse(data, filename, content_type, metadata, timeout)
    return _in_worker(data, filename, content_type, metadata, timeout,
                      limits.ocr_page_seconds(ocr_page_seconds))


def _too_large(size: int, limit: int) -> ParseOutcome:
    return ParseOutcome(
        "too_large", f"the document is {size} bytes, over the {limit}-byte limit; raise max_bytes to parse it"
    )


def _parse(
    data: bytes,
    filename: str | None,
    content_type: str | None,
    metadata: dict[str, Any] | None,
    timeout: float,
) -> ParseOutcome:
    kind = detect(data, filename, content_type)
    try:
        doc = extract(data, kind, content_type, timeout)
        meta = dict(metadata or {})
        record = build_record(doc, meta)
    except ParseFailure as exc:
        return ParseOutcome(exc.status, exc.message)
    except NotAReport as exc:
        return ParseOutcome("not_a_report", f"{exc} (read as {kind}); nothing to parse")
    return ParseOutcome("ok", f"parsed as {kind}", record)


def extract(data: bytes, kind: Kind, content_type: str | None = None, timeout: float = 60.0) -> Doc:
    """The lines of a document of a known kind."""
    if kind == "pdf":
        from crawler.parsing.pdf_source import pdf_document

        try:
            return pdf_document(data)
        except ParseFailure as exc:
            if exc.status != "needs_ocr":
                raise
        from crawler.parsing.ocr_source import ocr_document

        return ocr_document(data)
    if kind == "docx":
        from crawler.parsing.docx_source import docx_document

        return docx_document(data)
    if kind == "doc":
        from crawler.parsing.doc_source import doc_document

        return doc_document(data, timeout)
    if kind == "html":
        from crawler.parsing.html_source import html_document

        return html_document(decode_document(data, content_type))
    if kind == "text":
        from crawler.parsing.text_source import text_document

        return text_document(decode_document(data, content_type))
    raise ParseFailure(
        "unsupported", "unknown file type; supported: PDF, DOCX, DOC/WPS, HTML and plain text"
    )


_OUT_OF_MEMORY = ParseOutcome("too_large", "parsing this document needs more memory than the "
                                           "parse worker's limit (GOVREPORTS_PARSE_MEMORY)")
def _safe_parse(args: tuple[Any, ...]) -> ParseOutcome:
    try:
        return _parse(*args)
    except MemoryError:
        return _OUT_OF_MEMORY
    except Exception as exc:  # report any crash as data, never kill the caller
        if limits.hit_memory_limit():
            return _OUT_OF_MEMORY
        return ParseOutcome("corrupt", f"the parser failed on this document: {type(exc).__name__}: {exc}")


def _serve(conn: Any, memory_limit: int = DEFAULT_MEMORY_LIMIT) -> None:
    """The worker's loop: parse each job sent down the pipe, until the pipe closes."""
    # A forked child inherits the parent's signal handlers (Scrapy's graceful-shutdown ones):
    # restore the defaults so that terminate() at exit really ends the worker, and leave
    # Ctrl-C to the parent, which stops the worker itself.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from crawler.run.children import die_with_parent

    die_with_parent()  # a crawler killed with -9 takes its worker with it
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    limits.limit_memory(memory_limit)
    while True:
        try:
            job, args = conn.recv()
        except (EOFError, OSError):
            return
        *args, page_seconds = args
        limits.limit_cpu(float(args[-1]) + CPU_GRACE)  # args end with the document's timeout

        def extend(extension: limits.Extension, job: int = job) -> None:
            conn.send((job, extension, False))

        limits.start_job(float(page_seconds), extend)
        outcome = _safe_parse(tuple(args))
        # Start afresh after running out of memory (the heap may be fragmented, the peak is
        # spent) or after a job that widened the limits (OCR): the next job gets the normal cap.
        retiring = outcome is _OUT_OF_MEMORY or limits.spent()
        conn.send((job, outcome, retiring))
        if retiring:
            return


#: Modules the parse worker imports once, so each new worker starts warm.
_PRELOAD = [
    "crawler.parsing.api",
    "crawler.parsing.doc_source",
    "crawler.parsing.docx_source",
    "crawler.parsing.html_source",
    "crawler.parsing.pdf_source",
    "crawler.parsing.text_source",
    "docx",
    "pypdfium2",
]


def worker_context() -> Any:
    """Where parse workers (and the crawl's other worker processes, ``crawler.processes``)
    come from: a fork server on Linux, started once per process.

    Workers are not forked from the caller: a forked child inherits every open descriptor,
    and one that holds the write end of the Playwright driver's stdin keeps the driver (and
    the crawl's close) waiting forever. The fork server starts clean, imports the extractors
    once, and forks each worker from itself.
    """
    if os.name != "posix":
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


class _Worker:
    """One reusable worker process; killed and replaced when a document overruns its time."""

    MAX_JOBS = 500  # replace the worker now and then to bound its memory

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Any = None
        self._jobs = 0
        self.memory_limit = DEFAULT_MEMORY_LIMIT

    def run(self, args: tuple[Any, ...], timeout: float) -> ParseOutcome:
        with self._lock:
            if self._proc is None or not self._proc.is_alive() or self._jobs >= self.MAX_JOBS:
                self._start()
            self._jobs += 1
            job = self._jobs
            deadline = time.monotonic() + timeout
            allowed = timeout
            try:
                self._conn.send((job, args))
                while self._conn.poll(max(0.0, deadline - time.monotonic())):
                    answered, outcome, retiring = self._conn.recv()
                    if answered != job:  # skip any answer left over from an earlier job
                        continue
                    if time.monotonic() > deadline:  # answered, but only after the limit
                        break
                    if isinstance(outcome, limits.Extension):  # OCR: the per-page budget
                        deadline += outcome.seconds
                        allowed += outcome.seconds
                        continue
                    if retiring:  # the worker ends itself after this answer
                        self._stop()
                    return outcome  # type: ignore[no-any-return]
            except (EOFError, OSError, BrokenPipeError):
                return self._died()
            self._stop()
            return ParseOutcome(
                "timeout", f"parsing took longer than {allowed:g} s and was stopped; try a longer timeout"
                + (" or more OCR time per page (GOVREPORTS_OCR_PAGE_SECONDS)" if allowed > timeout else "")
            )

    def _died(self) -> ParseOutcome:
        """The worker ended mid-document: say why (CPU limit, memory limit or a crash)."""
        proc = self._proc
        if proc is not None:
            proc.join(5)
        code = proc.exitcode if proc is not None else None
        self._stop()
        if code == -signal.SIGXCPU:
            return ParseOutcome("timeout", "parsing used up the CPU-time limit and was stopped")
        if code in (-signal.SIGKILL, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
            return ParseOutcome("too_large", f"the parser process died on this document "
                                             f"(signal {-code}), most likely out of memory "
                                             "(GOVREPORTS_PARSE_MEMORY)")
        return ParseOutcome("corrupt", "the parser process died on this document")

    def _start(self) -> None:
        self._stop()
        ctx = worker_context()
        parent, child = ctx.Pipe(duplex=True)
        self._proc = ctx.Process(target=_serve, args=(child, self.memory_limit), daemon=True,
                                 name="govreports-parse")
        self._proc.start()
        child.close()
        self._conn, self._jobs = parent, 0

    def _stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
        self._proc = self._conn = None

    def set_memory_limit(self, memory_limit: int) -> None:
        """Use ``memory_limit`` from the next worker on (the running one is replaced)."""
        with self._lock:
            if memory_limit != self.memory_limit:
                self.memory_limit = memory_limit
                self._stop()


_WORKER = _Worker()


def set_worker_limits(*, memory_limit: int = DEFAULT_MEMORY_LIMIT) -> None:
    """The parse worker's memory limit in bytes (0: none); setting ``GOVREPORTS_PARSE_MEMORY``."""
    _WORKER.set_memory_limit(memory_limit)


def _in_worker(
    data: bytes,
    filename: str | None,
    content_type: str | None,
    metadata: dict[str, Any] | None,
    timeout: float,
    ocr_page_seconds: float,
) -> ParseOutcome:
    return _WORKER.run((data, filename, content_type, metadata, timeout, ocr_page_seconds), timeout)
