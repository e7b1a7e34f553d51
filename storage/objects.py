"""Where an archive's blobs and WARC files live: a folder or an S3-compatible bucket, one interface.

:class:`ArchiveStorage` pairs a blob store (put/get/exists/verify, by sha256) with a WARC store.
Two backends, chosen by the ``--archive`` value (:func:`open_storage`):

* a folder (the default; a path every worker mounts): ``blobs/ab/cd/<sha256>`` and
  ``warc/<name>.warc.gz`` in it, written in place;
* ``s3://bucket/prefix``: the same keys under ``prefix/`` in the bucket (:mod:`storage.s3`).

WARC files are always written to a local folder first (the archive's ``warc/`` folder), a
record at a time, and a record's (file, offset) is final the moment it is written: an object
store gets each file whole, uploaded once it is complete (rolled over at ``max_bytes`` or
closed), so the offsets recorded in ``captures`` stay valid byte for byte. Until then readers
find the record in the local file; a file a killed writer left behind is uploaded by
:meth:`S3WarcStore.recover` when the next crawl opens. The upload runs in a background thread
(:class:`UploadQueue`, a bounded queue: the crawl goes on while a file uploads, and waits only
when ``max_pending`` finished files are already waiting); :meth:`WarcStore.finish` waits for
pending uploads when the crawl closes and returns the failed ones (their local files kept).
See docs/archive.md.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from crawler.run.children import process_alive
from storage.blobs import LocalBlobStore, StoredBlob
from storage.s3 import S3BlobStore, S3Bucket, S3Location, is_object_url
from storage.warc import WarcWriter

logger = logging.getLogger(__name__)

WARC_SUFFIX = ".warc.gz"


class BlobStore(Protocol):
    """Content-addressed blobs: each distinct content stored once, by its sha256."""

    @property
    def root(self) -> Any: ...  # where the blobs are, for messages
    def put(self, data: bytes) -> StoredBlob: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def verify(self, sha256: str) -> bool: ...
    def location_for(self, sha256: str) -> str: ...
    def sweep_temporary(self) -> int: ...


@dataclass(frozen=True)
class UploadFailure:
    """A WARC file that could not be uploaded: it stays at ``path`` for the next crawl's
    :meth:`S3WarcStore.recover`."""

    path: Path
    key: str
    error: str


class WarcStore(Protocol):
    """Finished WARC files by name, and the local folder new ones are written in."""

    staging: Path

    def published(self, path: Path) -> None: ...
    def finish(self) -> list[UploadFailure]: ...
    def open(self, name: str, offset: int = 0) -> AbstractContextManager[IO[bytes]]: ...
    def fetch(self, name: str, target: Path) -> None: ...
    def local_path(self, name: str) -> Path | None: ...
    def recover(self) -> int: ...


class LocalWarcStore:
    """WARC files in a folder, written in place: a closed file is already where it belongs."""

    def __init__(self, directory: Path) -> None:
        self.staging = Path(directory)

    def published(self, path: Path) -> None:
        """Nothing to do: the file is written where readers look."""

    def finish(self) -> list[UploadFailure]:
        """Nothing pending: no uploads."""
        return []

    @contextmanager
    def open(self, name: str, offset: int = 0) -> Iterator[IO[bytes]]:
        """The file from ``offset`` on; FileNotFoundError when missing."""
        with (self.staging / name).open("rb") as handle:
            handle.seek(offset)
            yield handle

    def fetch(self, name: str, target: Path) -> None:
        """Copy the file to ``target``; FileNotFoundError when missing."""
        shutil.copyfile(self.staging / name, target)

    def local_path(self, name: str) -> Path | None:
        """The file itself, when it exists."""
        path = self.staging / name
        return path if path.is_file() else None

    def recover(self) -> int:
        """Nothing to recover: a killed writer's file is already in place (its last record
        may be cut short, as in any WARC a crawler was killed writing)."""
        return 0


def writer_pid(name: str) -> int | None:
    """The writing process of ``govreports-run7-<stamp>-<pid>-00001.warc.gz`` (None if unnamed)."""
    parts = name.removesuffix(WARC_SUFFIX).split("-")
    return int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else None


class UploadQueue:
    """Run ``upload(path)`` for each submitted file in one background thread, in order.

    At most ``max_pending`` files wait (a bounded queue): :meth:`submit` blocks while it is
    full, so a store slower than the crawl holds the crawl back instead of letting finished
    files pile up. ``upload`` returns an :class:`UploadFailure` or None.
    """

    def __init__(self, upload: Callable[[Path], UploadFailure | None], *, max_pending: int = 2) -> None:
        self._upload = upload
        self._queue: queue.Queue[Path] = queue.Queue(maxsize=max_pending)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.failures: list[UploadFailure] = []

    def submit(self, path: Path) -> None:
        """Queue ``path`` for upload (waits while ``max_pending`` files are waiting already)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="warc-upload", daemon=True)
                self._thread.start()
        self._queue.put(path)

    def _run(self) -> None:
        while True:
            path = self._queue.get()
            try:
                failure = self._upload(path)
            except Exception as exc:  # noqa: BLE001 - reported as a failure; the thread goes on
                failure = UploadFailure(path, "", repr(exc))
            try:
                if failure is not None:
                    with self._lock:
                        self.failures.append(failure)
            finally:
                self._queue.task_done()

    def wait(self) -> list[UploadFailure]:
        """Wait until every submitted file is uploaded (or failed); return the failures so far."""
        self._queue.join()
        with self._lock:
            failures, self.failures = self.failures, []
        return failures


class S3WarcStore:
    """WARC files under ``prefix/warc/`` in a bucket, each uploaded whole once it is complete.

    ``staging`` is the local folder the writer appends to; a file leaves it (is deleted) only
    after the bucket reports the uploaded object with the file's exact size. Uploads of files
    the writer finished run in a background thread (:class:`UploadQueue`).
    """

    def __init__(self, bucket: S3Bucket, location: S3Location, staging: Path, *,
                 max_pending: int = 2) -> None:
        self.bucket = bucket
        self.location = location
        self.staging = Path(staging)
        self.uploads = UploadQueue(self.upload, max_pending=max_pending)

    def key(self, name: str) -> str:
        """The object key of the WARC file ``name``."""
        return self.location.key("warc", name)

    def published(self, path: Path) -> None:
        """Queue a complete file for upload in the background (see :meth:`upload`)."""
        self.uploads.submit(path)

    def finish(self) -> list[UploadFailure]:
        """Wait for the pending uploads; the files that failed (kept in ``staging``)."""
        return self.uploads.wait()

    def upload(self, path: Path) -> UploadFailure | None:
        """Upload a complete file, then remove the local copy; on failure keep it (logged with
        its key) for :meth:`recover` to upload later, and return the failure."""
        key = self.key(path.name)
        try:
            self.bucket.upload(key, path)
            uploaded = self.bucket.size(key)
        except Exception as exc:  # noqa: BLE001 - keep the file; the next crawl retries
            return self._failed(path, key, repr(exc))
        if uploaded != path.stat().st_size:
            return self._failed(path, key, f"incomplete: {uploaded} of {path.stat().st_size} bytes")
        path.unlink()
        return None

    def _failed(self, path: Path, key: str, error: str) -> UploadFailure:
        logger.error("WARC upload failed; the file stays in %s and the next crawl of this "
                     "archive uploads it", self.staging,
                     extra={"warc_file": path.name, "key": self.location.url(key), "error": error})
        return UploadFailure(path, self.location.url(key), error)

    @contextmanager
    def open(self, name: str, offset: int = 0) -> Iterator[IO[bytes]]:
        """The file from ``offset`` on: the local copy while it is written, else a ranged GET."""
        local = self.staging / name
        if local.is_file():
            with local.open("rb") as handle:
                handle.seek(offset)
                yield handle
            return
        with self.bucket.open(self.key(name), offset) as stream:
            yield stream

    def fetch(self, name: str, target: Path) -> None:
        """Copy the file to ``target``; FileNotFoundError when neither here nor in the bucket."""
        local = self.staging / name
        if local.is_file():
            shutil.copyfile(local, target)
        else:
            self.bucket.download(self.key(name), target)

    def local_path(self, name: str) -> Path | None:
        """Never in place: a finished file is in the bucket."""
        return None

    def recover(self) -> int:
        """Upload the files of writers that no longer run (killed crawls); return how many."""
        done = 0
        for path in sorted(self.staging.glob(f"*{WARC_SUFFIX}")):
            pid = writer_pid(path.name)
            if pid is not None and process_alive(pid):
                continue
            self.upload(path)
            done += not path.exists()
        return done


@dataclass
class ArchiveStorage:
    """An archive's blobs and WARC files, and how to name it (a folder or ``s3://…``)."""

    url: str
    blobs: BlobStore
    warcs: WarcStore

    def warc_writer(self, **options: Any) -> WarcWriter:
        """A writer appending to the staging folder; each complete file goes to the store."""
        return WarcWriter(self.warcs.staging, on_close=self.warcs.published, **options)

    def check(self) -> None:
        """Raise ``ObjectStoreError`` when the store cannot be used (a bucket not answering)."""
        bucket = getattr(self.blobs, "bucket", None)
        if isinstance(bucket, S3Bucket):
            bucket.check()


def open_storage(local_dir: Path, store_url: str | None = None, *,
                 endpoint_url: str | None = None, client: Any = None) -> ArchiveStorage:
    """The storage of an archive: the folder ``local_dir`` alone, or the bucket ``store_url``
    (``s3://bucket/prefix``) with ``local_dir/warc`` as the WARC staging folder."""
    local_dir = Path(local_dir)
    if not store_url:
        return ArchiveStorage(str(local_dir), LocalBlobStore(local_dir / "blobs"),
                              LocalWarcStore(local_dir / "warc"))
    if not is_object_url(store_url):
        raise ValueError(f"not an object store URL: {store_url!r}")
    location = S3Location.parse(store_url)
    bucket = S3Bucket(location.bucket, endpoint_url=endpoint_url, client=client)
    return ArchiveStorage(location.url(), S3BlobStore(bucket, location),
                          S3WarcStore(bucket, location, local_dir / "warc"))
