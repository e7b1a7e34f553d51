"""The archive a crawl writes into: blobs, WARC records and capture rows, for every fetch.

One :class:`ArchiveSession` per crawl, opened by the run owner and shared by the wire
middleware (which records every response and failure as it comes off the wire) and the
report pipeline (which links reports to the documents already recorded).
"""

from __future__ import annotations

import functools
import itertools
import logging
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from crawler.archive.policy import FullPolicy, RecrawlPolicy
from crawler.archive.wire import (
    WireRequest,
    WireResponse,
    header_pairs,
    wire_request,
    wire_response,
)
from crawler.archive.writer import ArchiveWriter
from crawler.discovery.urls import META_LIST, host_of, looks_like_list
from crawler.fetch.challenge import challenge_reason
from crawler.fetch.content_encoding import ContentDecodingError, DecodedTooLarge, decode_content
from crawler.fetch.encoding import decode_page
from crawler.fetch.tls import tls_verified_for
from crawler.frontier.keysets import KeyMap
from crawler.frontier.scheduler import META_FRONTIER_KEY
from crawler.reports.changes import ChangeRecorder
from crawler.version import software_version
from storage.blobs import StoredBlob
from storage.objects import (
    ArchiveStorage,
    BlobStore,
    LocalWarcStore,
    UploadFailure,
    WarcStore,
    open_storage,
)
from storage.repository import ArchiveDB, CaptureRecord, KnownUrl, UrlStateUpdate
from storage.s3 import ObjectStoreError
from storage.warc import WarcLocation, WarcWriter, stream_payload_digest, wire_digest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Commits on their way (``record_response_async(..., wait_for_commit=False)``) beyond which
#: a response waits for its own: a writer thread slower than the downloads holds at most this
#: many responses (without the bound, 21,000 pages of the sample portal peaked at 286 MB
#: instead of 173).
MAX_COMMIT_BACKLOG = 32

_TEXT_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml", "text/plain")


@dataclass(frozen=True)
class FetchRecord:
    """What the archive made of one response."""

    #: None while the capture's commit is on its way (:attr:`commit` then says when it is done).
    capture_id: int | None
    sha256: str | None
    size: int
    content_type: str
    charset: str | None
    encoding_problem: str | None
    blocked_reason: str | None
    #: A 304 answer: the payload is the archived one of ``sha256`` (a revisit record points at it).
    not_modified: bool = False
    #: Why nothing was stored (``too_large``: the decoded body is over the size limit).
    refused: str | None = None
    #: The payload with its content encoding removed (what the blob holds).
    payload: bytes | None = None
    #: The commit still on its way in the writer thread (``record_response_async(...,
    #: wait_for_commit=False)``); its result is this record with ``capture_id`` set.
    commit: Future[FetchRecord] | None = None


@dataclass
class _Pending:
    """A response on its way into the archive: decoded, its blob not yet written."""

    request: WireRequest
    response: WireResponse
    record: CaptureRecord
    known: KnownUrl | None
    content_type: str
    #: None when handed to a writer process (which does not need it; the caller keeps it).
    payload: bytes | None
    charset: str | None
    problem: str | None


@dataclass(frozen=True)
class _Direct:
    """An answer that stores no blob (a 304, a body too large, a challenge page): the write
    path's method ``name`` records it, with ``args`` (plain data)."""

    name: str
    args: tuple[Any, ...]


def _header(headers: object, name: str) -> str:
    value = headers.get(name)  # type: ignore[attr-defined]
    return value.decode("latin-1") if isinstance(value, bytes) else (value or "")


_header_pairs = header_pairs

#: Capture ids of recent commits by ticket (:meth:`ArchiveSession.mark_capture` of a commit
#: still on its way when marked): far more than the writes that can be on their way at once.
_TICKETS_KEPT = 4096

WriterKind = Literal["inline", "thread", "process"]


def is_text_type(content_type: str, body: bytes) -> bool:
    """True for responses that are pages (HTML/XML/text) rather than documents."""
    lowered = content_type.lower()
    if lowered.startswith(_TEXT_TYPES):
        return True
    head = body[:512].lstrip().lower()
    return not lowered and head.startswith((b"<!doctype html", b"<html", b"<?xml"))


class ArchiveSession:
    """Writes blobs, WARC records and capture rows for one crawl run.

    Built and owned by the run owner (``crawler.extensions.run_owner.RunOwner``); other
    components reach it as ``crawler.get_extension(RunOwner).session``.
    """

    def __init__(self, *, db: ArchiveDB, blobs: BlobStore, warc: WarcWriter, run_id: int,
                 insecure_hosts: set[str], policy: RecrawlPolicy | None = None,
                 on_capture: Callable[[Any, ArchiveDB], None] | None = None,
                 max_size: int = 0, warcs: WarcStore | None = None,
                 writer: ArchiveWriter | None = None) -> None:
        #: The database of the reactor thread (reports, parses, changes).
        self.db = db
        #: The writer thread or process the write path runs in (None: in the caller's thread,
        #: on ``db``).
        self.writer = writer
        self.blobs = blobs
        self.warc = warc
        #: Where finished WARC files are read back (default: the writer's folder).
        self.warcs: WarcStore = warcs if warcs is not None else LocalWarcStore(warc.directory)
        self.run_id = run_id
        self.insecure_hosts = insecure_hosts
        self.policy: RecrawlPolicy = policy if policy is not None else FullPolicy()
        #: Called with the request (its plain copy, ``crawler.archive.wire.WireRequest``) and the
        #: write path's database just before its capture is committed (same transaction).
        self.on_capture = on_capture
        #: Decoded payloads over this many bytes are refused (``DOWNLOAD_MAXSIZE``; 0: no limit).
        self.max_size = max_size
        self.closed = False
        #: Earlier response records found holding a payload, by sha256 (hits only: misses
        #: are not kept, so memory does not grow with every distinct page).
        self._payload_refs: dict[str, KnownUrl] = {}
        #: The capture of each response record written by this session, by its wire payload
        #: digest (about 17 bytes per response, the digest kept as a 64-bit key; the record is
        #: read back from the database on a hit).
        self._wire_refs = KeyMap()
        #: WARC-Payload-Digest of earlier response records, by record id (read once from the WARC).
        self._digests: dict[str, str | None] = {}
        self.alert_channels: list[str] = []
        #: A baseline crawl: alert events are recorded, marked baseline, never delivered.
        self.alert_baseline = False
        self._changes: ChangeRecorder | None = None
        #: Commits handed over unawaited, and their tickets (:meth:`mark_capture`).
        self._tickets = itertools.count(1)
        self._ticket_of: weakref.WeakKeyDictionary[Future[FetchRecord], int] = \
            weakref.WeakKeyDictionary()
        #: In the write path: the capture id each recent ticket's commit gave.
        self._ticket_captures: OrderedDict[int, int] = OrderedDict()

    @classmethod
    def open(cls, *, db: ArchiveDB, archive_dir: Path, run_id: int, insecure_hosts: set[str],
             policy: RecrawlPolicy | None, alert_channels: list[str], alert_baseline: bool = False,
             on_capture: Callable[[Any, ArchiveDB], None] | None = None,
             max_size: int = 0, storage: ArchiveStorage | None = None,
             warc_max_bytes: int = 1_000_000_000, threaded: bool = False,
             writer: WriterKind | None = None,
             storage_factory: Callable[[], ArchiveStorage] | None = None) -> ArchiveSession:
        """A session writing into ``storage`` (default: the folder ``archive_dir``) for run
        ``run_id``. Its write path runs (``writer``) ``inline`` (in the caller's thread), in an
        :class:`ArchiveWriter` ``thread`` or in a ``process`` of its own
        (:class:`~crawler.archive.writer_process.ProcessWriter`, which opens the storage with
        ``storage_factory``, default: the folder ``archive_dir``; ``on_capture`` must pickle).
        Without ``writer``: ``thread`` when ``threaded``, else ``inline``."""
        kind: WriterKind = writer or ("thread" if threaded else "inline")
        if storage_factory is None:
            if storage is not None and kind == "process":
                raise ValueError("a writer process opens the storage itself: give storage_factory")
            storage_factory = functools.partial(open_storage, archive_dir)
        storage = storage if storage is not None else storage_factory()
        handler: ArchiveWriter | None = None
        if kind == "thread":
            handler = ArchiveWriter(db.url)
        elif kind == "process":
            from crawler.archive.writer_process import ProcessWriter, WriterRecipe

            handler = ProcessWriter(WriterRecipe(db.url, run_id, storage_factory, warc_max_bytes,
                                                 on_capture))
        session = cls(
            db=db,
            blobs=storage.blobs,
            warc=storage.warc_writer(
                prefix=f"govreports-run{run_id}",
                max_bytes=warc_max_bytes,
                software=software_version(),
                info={"crawl-run": str(run_id), "robots": "obey"},
            ),
            warcs=storage.warcs,
            run_id=run_id,
            insecure_hosts=insecure_hosts,
            policy=policy,
            on_capture=on_capture,
            max_size=max_size,
            writer=handler,
        )
        session.alert_channels = list(alert_channels)
        session.alert_baseline = alert_baseline
        return session

    @property
    def known(self) -> dict[str, KnownUrl]:
        """What the archive knew of the crawled hosts' URLs before this run (the policy's view)."""
        return self.policy.known

    @property
    def changes(self) -> ChangeRecorder:
        """Records report versions and alert events for this run."""
        if self._changes is None:
            self._changes = ChangeRecorder(self.db, run_id=self.run_id, channels=self.alert_channels,
                                           baseline=self.alert_baseline)
        return self._changes

    def is_settled(self, url: str) -> bool:
        """True for a page the re-crawl policy skips this time."""
        return self.policy.is_settled(url)

    def validators_for(self, url: str) -> dict[str, str]:
        """Conditional-request headers the re-crawl policy sends for ``url``."""
        return self.policy.validators_for(url)

    @property
    def wdb(self) -> ArchiveDB:
        """The write path's database: the writer thread's own, else :attr:`db` (in a writer
        process, the session there has no writer: its :attr:`db` is the process's own)."""
        return self.writer.db if self.writer is not None else self.db

    def _add_capture(self, request: WireRequest, record: CaptureRecord,
                     url_state: UrlStateUpdate | None = None) -> int:
        db = self.wdb
        if self.on_capture is not None:
            self.on_capture(request, db)
        return db.add_capture(record, url_state=url_state)

    def _base_record(self, request: Request) -> CaptureRecord:
        parts = urlsplit(request.url)
        return CaptureRecord(
            run_id=self.run_id,
            url=request.meta.get("redirect_urls", [request.url])[0],
            final_url=request.url,
            referrer=_header(request.headers, "Referer") or None,
            method=request.method,
            fetched_at=datetime.now(UTC),
            tls_verified=tls_verified_for(parts.scheme, host_of(request.url), self.insecure_hosts),
            depth=request.meta.get("depth"),
        )

    def record_response(self, request: Request, response: Response) -> FetchRecord:
        """Archive one response exactly as received; return what was recorded."""
        step = self._prepare(request, response)
        if isinstance(step, _Direct):
            result: FetchRecord = getattr(self, step.name)(*step.args)
            return result
        return self._complete(step, self.blobs.put(step.payload or b""))

    def _operation(self, name: str) -> Any:
        """The write path's method ``name`` as the writer takes it (see ``ArchiveWriter.operation``)."""
        assert self.writer is not None
        return self.writer.operation(self, name)

    async def record_response_async(self, request: Request, response: Response, *,
                                    wait_for_commit: bool = True) -> FetchRecord:
        """:meth:`record_response` off the reactor: decoding and the blob (hashing, write,
        fsync) in a thread of the pool, then the WARC record and the transaction in the writer
        (thread or process; in order). The capture is committed after the blob is in place; the
        caller resumes after the commit. Without a writer: the blob in a thread, the rest here.

        ``wait_for_commit=False``: a response whose blob is stored resumes its caller before
        the commit, unless :data:`MAX_COMMIT_BACKLOG` writes are on their way already (each
        holds its response: the wait then bounds the crawl's memory). The record then has no
        ``capture_id`` yet and carries the commit (:attr:`FetchRecord.commit`); the request
        stays busy (:meth:`ArchiveWriter.busy`, so the frontier does not mark it done) until
        the commit. The response goes on to the spider
        while the writer catches up: its download slot is free again at once."""
        from crawler.threads import in_thread

        writer = self.writer
        if writer is None:
            step = self._prepare(request, response)
            if isinstance(step, _Direct):
                direct: FetchRecord = getattr(self, step.name)(*step.args)
                return direct
            return self._complete(step, await in_thread(self.blobs.put, step.payload or b""))
        step, stored = await in_thread(self._prepare_and_store, request, response)
        if isinstance(step, _Direct):
            answer: FetchRecord = await writer.call(self._operation(step.name), *step.args)
            return answer
        assert stored is not None
        payload = step.payload
        if writer.kind == "process":  # the writer process does not need it: not sent
            step = replace(step, payload=None)
        if wait_for_commit or writer.backlog >= MAX_COMMIT_BACKLOG:
            committed: FetchRecord = await writer.call(self._operation("_complete"), step, stored)
            return replace(committed, payload=payload)
        ticket = next(self._tickets)
        commit: Future[FetchRecord] = writer.submit(_busy_keys(request),
                                                    self._operation("_complete"), step, stored,
                                                    ticket=ticket)
        self._ticket_of[commit] = ticket
        return FetchRecord(None, stored.sha256, stored.size, step.content_type, step.charset,
                           step.problem, None, payload=payload, commit=commit)

    def _prepare_and_store(self, request: Request, response: Response
                           ) -> tuple[_Pending | _Direct, StoredBlob | None]:
        """:meth:`_prepare`, then the blob when there is one to store (no database work)."""
        step = self._prepare(request, response)
        if isinstance(step, _Direct):
            return step, None
        return step, self.blobs.put(step.payload or b"")

    def _prepare(self, request: Request, response: Response) -> _Pending | _Direct:
        """Everything before the blob: content decoded once, challenge pages, charset; no
        database or WARC work, so it may run in any thread. Answers that store no blob (304,
        too large, challenge) come back as the write path's call that records them."""
        record = self._base_record(request)
        record.status = response.status
        record.headers = dict(_header_pairs(response.headers))
        content_type = _header(response.headers, "Content-Type")
        record.content_type = content_type.split(";")[0].strip().lower() or None
        known = self.known.get(request.url)
        if response.status == 304 and known is not None and known.sha256 and known.warc_record_id:
            return _Direct("_record_not_modified", (wire_request(request), wire_response(response),
                                                    record, known))
        max_size = request.meta.get("download_maxsize", self.max_size)
        try:
            payload = decode_content(response.body, _header(response.headers, "Content-Encoding"),
                                     max_size)
        except DecodedTooLarge as exc:  # a decompression bomb: nothing is stored
            record.kind, record.error_kind, record.error_message = "error", "too_large", str(exc)
            record.sha256 = None
            return _Direct("_record_too_large", (record, len(response.body), content_type))
        except ContentDecodingError as exc:
            record.error_kind, record.error_message = "bad_content_encoding", str(exc)
            payload = response.body
        blocked = challenge_reason(response.status, payload)
        charset = problem = None
        if blocked:
            record.kind, record.error_kind, record.error_message = "blocked", "blocked", blocked
            return _Direct("_record_blocked", (wire_request(request), record, len(payload),
                                               content_type, blocked))
        if is_text_type(content_type, payload):
            decoded = decode_page(payload, content_type)
            charset, problem = decoded.charset, decoded.problem
            record.charset = charset
            if problem and record.error_kind is None:
                record.error_kind, record.error_message = "encoding", problem
        return _Pending(wire_request(request), wire_response(response), record, known,
                        content_type, payload, charset, problem)

    def _record_too_large(self, record: CaptureRecord, size: int, content_type: str) -> FetchRecord:
        """A body over the size limit: a capture saying so, nothing stored."""
        return FetchRecord(self.wdb.add_capture(record), None, size, content_type, None, None,
                           None, refused="too_large")

    def _record_blocked(self, request: WireRequest, record: CaptureRecord, size: int,
                        content_type: str, blocked: str) -> FetchRecord:
        """A challenge page: a capture of kind ``blocked``, nothing stored."""
        return FetchRecord(self._add_capture(request, record), None, size, content_type, None,
                           None, blocked)

    def _complete(self, step: _Pending, stored: StoredBlob, ticket: int | None = None
                  ) -> FetchRecord:
        """After the blob: its document row, the WARC record, the capture; one commit. A
        ``ticket`` remembers the capture's id for a :meth:`mark_capture` handed over early."""
        request, response, record, known = step.request, step.response, step.record, step.known
        charset = step.charset
        # staged: committed with the capture below, one transaction per response
        new_document = self.wdb.stage_document(
            sha256=stored.sha256,
            size=stored.size,
            content_type=record.content_type,
            blob_path=stored.location,
        )
        fetched_at = record.fetched_at or datetime.now(UTC)
        wire = wire_digest(response.body)
        earlier = self._identical_payload(stored.sha256, wire, known, new_document) \
            if response.status == 200 else None
        digest = wire if earlier is not None else None
        if earlier is not None and digest is not None:  # the same payload is archived already
            location = self._write_revisit(request, response, earlier, fetched_at,
                                           not_modified=False, digest=digest)
        else:
            location = self.warc.write_exchange(
                url=request.url,
                method=request.method,
                request_headers=[("Host", host_of(request.url)), *_header_pairs(request.headers)],
                request_body=request.body or b"",
                status=response.status,
                reason="",
                http_version=getattr(response, "protocol", None) or "HTTP/1.1",
                response_headers=_header_pairs(response.headers),
                response_body=response.body,
                fetched_at=fetched_at,
                peer_ip=str(response.ip_address) if response.ip_address else None,
            )
        record.sha256, record.size = stored.sha256, stored.size
        record.warc_file, record.warc_offset = location.filename, location.offset
        record.warc_record_id = location.record_id
        record.kind = "page" if charset else "document"
        state = self._url_state(request, response, record.kind, stored.sha256,
                                holds_payload=earlier is None)
        if earlier is not None:
            state = replace(state, payload_capture_id=earlier.capture_id)
        capture_id = self._add_capture(request, record, state)
        if earlier is None and response.status == 200:
            self._wire_refs[wire] = capture_id
        if ticket is not None:
            self._ticket_captures[ticket] = capture_id
            while len(self._ticket_captures) > _TICKETS_KEPT:
                self._ticket_captures.popitem(last=False)
        return FetchRecord(capture_id, stored.sha256, stored.size, step.content_type, charset,
                           step.problem, None, payload=step.payload)

    def _identical_payload(self, sha256: str, wire: str, known: KnownUrl | None,
                           new_document: bool) -> KnownUrl | None:
        """A response record with the very payload sent (same wire digest), if any.

        Like with like: the same decoded bytes sent gzip-encoded once and plain once are two
        payloads, so neither is a revisit of the other. A document new to the archive has no
        earlier record (no query is made).
        """
        capture_id = self._wire_refs.get(wire)
        if capture_id is not None:
            found = self.wdb.payload_capture(capture_id)
            if found is not None and found.sha256 == sha256:  # not two digests on one key
                return found
        if new_document:
            return None
        candidate = self._earlier_copy(sha256, known)
        if candidate is not None and self._record_digest(candidate) == wire:
            return candidate
        return None

    def _earlier_copy(self, sha256: str, known: KnownUrl | None) -> KnownUrl | None:
        """A full response record already holding these bytes, if any (same URL first)."""
        if known is not None and known.sha256 == sha256 and known.warc_record_id is not None:
            return known
        found = self._payload_refs.get(sha256)
        if found is None:
            found = self.wdb.archived_payload(sha256)
            if found is not None:
                self._payload_refs[sha256] = found
        return found

    def _record_not_modified(self, request: WireRequest, response: WireResponse, record: CaptureRecord,
                             known: KnownUrl) -> FetchRecord:
        """A 304: a server-not-modified revisit record and a capture of the archived payload."""
        location = self._write_revisit(request, response, known,
                                       record.fetched_at or datetime.now(UTC), not_modified=True,
                                       digest=self._record_digest(known))
        record.sha256, record.size = known.sha256, known.size
        record.content_type, record.charset = known.content_type, known.charset
        record.kind = known.capture_kind or ("page" if known.charset else "document")
        record.warc_file, record.warc_offset = location.filename, location.offset
        record.warc_record_id = location.record_id
        update = self._url_state(request, response, record.kind, known.sha256, holds_payload=False)
        if not update.etag and not update.last_modified:  # a 304 may omit unchanged validators
            update = UrlStateUpdate(update.url, update.kind, 304, known.etag, known.last_modified,
                                    known.sha256)
        capture_id = self._add_capture(request, record, update)
        content_type = known.content_type or ""
        if known.charset:
            content_type = f"{content_type}; charset={known.charset}"
        return FetchRecord(capture_id, known.sha256, known.size or 0, content_type, known.charset,
                           None, None, not_modified=True)

    def _record_digest(self, known: KnownUrl) -> str | None:
        """The ``WARC-Payload-Digest`` of the response record holding ``known``'s payload."""
        record_id = known.warc_record_id
        if record_id is None or not known.warc_file:
            return None
        if record_id not in self._digests:
            try:
                with self.warcs.open(known.warc_file, known.warc_offset or 0) as stream:
                    self._digests[record_id] = stream_payload_digest(stream)
            except (OSError, ObjectStoreError):
                self._digests[record_id] = None
        return self._digests[record_id]

    def _write_revisit(self, request: WireRequest, response: WireResponse, known: KnownUrl,
                       fetched_at: datetime, *, not_modified: bool, digest: str | None
                       ) -> WarcLocation:
        """A revisit record carrying the digest of the record it refers to (same scheme).

        A 304's revisit keeps no HTTP headers of its own, so replay shows the archived 200;
        the 304's headers stay on the capture row.
        """
        assert known.sha256 and known.warc_record_id
        return self.warc.write_revisit(
            url=request.url,
            refers_to=WarcLocation(known.warc_file or "", known.warc_offset or 0, 0,
                                   known.warc_record_id),
            refers_to_uri=known.capture_url or request.url,
            refers_to_date=known.fetched_at or fetched_at,
            payload_digest=digest or f"sha256:{known.sha256}",
            status=response.status,
            reason="",
            http_version=getattr(response, "protocol", None) or "HTTP/1.1",
            response_headers=None if not_modified else _header_pairs(response.headers),
            fetched_at=fetched_at,
            not_modified=not_modified,
        )

    def _url_state(self, request: WireRequest, response: WireResponse, capture_kind: str,
                   sha256: str | None, *, holds_payload: bool) -> UrlStateUpdate:
        if capture_kind == "document":
            kind = "document"
        elif request.method != "GET" or request.meta.get(META_LIST) or looks_like_list(request.url):
            kind = "list"
        else:
            kind = "detail"
        return UrlStateUpdate(
            url=request.url, kind=kind, status=response.status,
            etag=_header(response.headers, "ETag") or None,
            last_modified=_header(response.headers, "Last-Modified") or None,
            sha256=sha256, holds_payload=holds_payload,
        )

    def record_rendering(self, *, url: str, raw_capture_id: int, html: str, browser: str,
                         stored: StoredBlob | None = None) -> int:
        """Archive the DOM a browser built from the page of capture ``raw_capture_id``: a blob
        (``stored``, when the caller stored it already), a WARC ``conversion`` record referring
        to the raw response, and a capture of kind ``rendered`` whose headers say so
        (``X-Govreports-Rendered``, the browser version). Returns the new capture's id."""
        db = self.wdb
        raw = db.capture_record(raw_capture_id)
        body = html.encode("utf-8")
        stored = stored if stored is not None else self.blobs.put(body)
        db.add_document(sha256=stored.sha256, size=stored.size, content_type="text/html",
                             blob_path=stored.location)
        now = datetime.now(UTC)
        headers = {"Content-Type": "text/html; charset=utf-8", "X-Govreports-Rendered": "true",
                   "X-Govreports-Browser": browser,
                   "X-Govreports-Rendered-From": str(raw_capture_id)}
        refers_to = raw.warc_record_id if raw is not None and raw.warc_record_id else ""
        location = self.warc.write_conversion(
            url=url, refers_to=refers_to,
            refers_to_date=(raw.fetched_at if raw is not None and raw.fetched_at else now),
            content_type="text/html; charset=utf-8", body=body, fetched_at=now,
            extra_headers={"WARC-Rendered-By": browser})
        record = CaptureRecord(run_id=self.run_id, url=url, final_url=url,
                               referrer=raw.url if raw is not None else None, method="GET", status=200,
                               headers=headers, content_type="text/html", charset="utf-8",
                               sha256=stored.sha256, size=stored.size, fetched_at=now,
                               warc_file=location.filename, warc_offset=location.offset,
                               warc_record_id=location.record_id,
                               tls_verified=raw.tls_verified if raw is not None else None,
                               kind="rendered")
        return db.add_capture(record)

    async def record_rendering_async(self, *, url: str, raw_capture_id: int, html: str,
                                     browser: str) -> int:
        """:meth:`record_rendering` with the blob put (an object-store request, or a file
        write and fsync) in a thread: the reactor goes on meanwhile."""
        from crawler.threads import in_thread

        stored = await in_thread(self.blobs.put, html.encode("utf-8"))
        if self.writer is not None:
            capture_id: int = await self.writer.call(
                self._operation("record_rendering"), url=url, raw_capture_id=raw_capture_id,
                html=html, browser=browser, stored=stored)
            return capture_id
        return self.record_rendering(url=url, raw_capture_id=raw_capture_id, html=html,
                                     browser=browser, stored=stored)

    def record_failure(self, request: Request, kind: str, message: str,
                       owner: Request | None = None) -> int | None:
        """Record a fetch that produced no response (timeout, TLS, robots, too large…).

        With a writer the capture is handed over and None returned at once: the
        request (``owner``, default ``request``: the one its frontier row follows) stays busy
        (:meth:`ArchiveWriter.busy`) until the capture is committed. Without one: committed
        here, its id returned."""
        record = self._base_record(request)
        record.url = request.url
        record.kind, record.error_kind, record.error_message = "error", kind, message[:2000]
        if self.writer is not None:
            self.writer.submit(_busy_keys(owner or request), self._operation("_add_capture"),
                               wire_request(request), record)
            return None
        return self._add_capture(wire_request(request), record)

    async def record_failure_async(self, request: Request, kind: str, message: str) -> None:
        """:meth:`record_failure`, resuming once the capture is committed."""
        record = self._base_record(request)
        record.url = request.url
        record.kind, record.error_kind, record.error_message = "error", kind, message[:2000]
        if self.writer is not None:
            await self.writer.call(self._operation("_add_capture"), wire_request(request), record)
        else:
            self._add_capture(wire_request(request), record)

    def mark_capture(self, request: Request, capture: int | Future[FetchRecord], *,
                     kind: str | None = None, error_kind: str | None = None,
                     message: str | None = None) -> None:
        """Re-label a capture (``ArchiveDB.mark_capture``) for ``request``: its id, or the
        commit still on its way that will give it (:attr:`FetchRecord.commit`). In the writer
        when there is one (``request`` busy until it is committed): its writes run in
        order, so a commit handed over before is done by then (the write path finds its id
        by the commit's ticket)."""
        capture_id: int | None = None
        ticket: int | None = None
        if isinstance(capture, int):
            capture_id = capture
        elif capture.done() and not capture.cancelled() and capture.exception() is None:
            capture_id = capture.result().capture_id
        else:
            ticket = self._ticket_of.get(capture)
        if self.writer is not None:
            self.writer.submit(_busy_keys(request), self._operation("_mark"), capture_id, ticket,
                               kind=kind, error_kind=error_kind, message=message)
            return
        self._mark(capture_id, ticket, kind=kind, error_kind=error_kind, message=message)

    def _mark(self, capture_id: int | None, ticket: int | None, *, kind: str | None,
              error_kind: str | None, message: str | None) -> None:
        """In the write path: :meth:`mark_capture` of capture ``capture_id``, or of the one the
        commit of ``ticket`` gave."""
        if capture_id is None and ticket is not None:
            capture_id = self._ticket_captures.get(ticket)
        if capture_id is None:
            raise LookupError("no capture to mark: its commit failed or is unknown")
        self.wdb.mark_capture(capture_id, kind=kind, error_kind=error_kind, message=message)

    def close(self) -> list[UploadFailure]:
        """Flush and close the WARC file and wait for the WARC uploads still running (an
        object-store archive); return the uploads that failed (their files kept locally,
        each logged with its key). Idempotent; the run owner closes the database. A writer
        process does this for its own WARC file, after the writes handed over."""
        if self.closed:
            return []
        self.closed = True
        failures: list[UploadFailure] = []
        if self.writer is not None:  # the writes handed over first: their WARC records too
            from crawler.archive.writer_process import ProcessWriter

            if isinstance(self.writer, ProcessWriter):
                failures = self.writer.finish()
            else:
                self.writer.close()
        self.warc.close()
        failures += self.warcs.finish()
        if failures:
            logger.error("WARC files not uploaded; they stay on this machine and the next crawl "
                         "of this archive uploads them",
                         extra={"count": len(failures), "keys": [f.key for f in failures],
                                "files": [str(f.path) for f in failures]})
        return failures

def _busy_keys(request: Request) -> tuple[str | int, ...]:
    """What a write handed over for ``request`` keeps busy: its frontier row's key (database
    frontier) and the request object itself (Redis frontier)."""
    key = request.meta.get(META_FRONTIER_KEY)
    return (id(request),) if key is None else (key, id(request))
