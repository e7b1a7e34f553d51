"""Content-addressed blob store on local disk: each distinct content stored once, by sha256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from crawler.run.children import process_alive

_CHUNK = 1 << 20
#: Temporary files (a blob being written) are named ``.tmp-<pid>-…`` after their writer.
TEMP_PREFIX = ".tmp-"
#: A temporary file without a (live) writer is removed by :meth:`LocalBlobStore.sweep_temporary`;
#: one whose writer cannot be told (an older name) only once it is this old (seconds).
STALE_AFTER = 3600.0


@dataclass(frozen=True)
class StoredBlob:
    """Where a content lives, and whether this put wrote it."""

    sha256: str
    size: int
    #: The file, for the folder store; None for an object store.
    path: Path | None
    new: bool
    #: Where the blob is, as recorded in ``documents.blob_path``: a file path or an object URL.
    location: str = ""


def _check_digest(sha256: str) -> str:
    digest = sha256.lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return digest


def blob_key(sha256: str) -> str:
    """A blob's place under the store's root, the same in every backend: ``ab/cd/abcd…``."""
    digest = _check_digest(sha256)
    return f"{digest[:2]}/{digest[2:4]}/{digest}"


class LocalBlobStore:
    """Blobs under ``root/ab/cd/abcd…``; written atomically (temporary file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        """The path a content with this digest has (whether or not it is stored)."""
        return self.root / blob_key(sha256)

    def location_for(self, sha256: str) -> str:
        """The blob's path as text, as recorded in ``documents.blob_path``."""
        return str(self.path_for(sha256))

    def put(self, data: bytes) -> StoredBlob:
        """Store ``data`` unless the same content is already there."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        if path.exists() and path.stat().st_size == len(data):
            return StoredBlob(digest, len(data), path, new=False, location=str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{os.getpid()}-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return StoredBlob(digest, len(data), path, new=True, location=str(path))

    def get(self, sha256: str) -> bytes:
        """The stored bytes; raises FileNotFoundError when the digest is not stored."""
        return self.path_for(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        """True when a blob with this digest is stored."""
        return self.path_for(sha256).is_file()

    def verify(self, sha256: str) -> bool:
        """Re-hash the stored file: True only if present and its content matches the digest."""
        path = self.path_for(sha256)
        if not path.is_file():
            return False
        hasher = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                hasher.update(chunk)
        return hasher.hexdigest() == _check_digest(sha256)

    def sweep_temporary(self, *, now: float | None = None) -> int:
        """Remove temporary files left by killed writers; return how many were removed.

        A file named after a process that no longer runs is removed; a file of a live process
        (another crawl writing into the same archive) is kept.
        """
        import time

        removed = 0
        moment = time.time() if now is None else now
        for path in self.root.glob(f"*/*/{TEMP_PREFIX}*"):
            writer = _writer_pid(path.name[len(TEMP_PREFIX):])
            try:
                stale = (not process_alive(writer) if writer is not None
                         else moment - path.stat().st_mtime > STALE_AFTER)
                if stale:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed


def _writer_pid(rest: str) -> int | None:
    head = rest.split("-", 1)[0]
    return int(head) if head.isdigit() and "-" in rest else None
