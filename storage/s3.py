"""An S3-compatible bucket (AWS S3, MinIO, Ceph RGW…) holding an archive's blobs and WARC files.

``s3://bucket/prefix`` names the archive: blobs under ``prefix/blobs/ab/cd/<sha256>`` and WARC
files under ``prefix/warc/<name>``, the same layout as the archive folder. The client is
boto3's: credentials come from its standard chain (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, instance roles…), the endpoint from the caller
(``GOVREPORTS_S3_ENDPOINT_URL`` through :mod:`crawler.config`; None: AWS itself).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crawler.errors import ArchiveUnavailable
from storage.blobs import StoredBlob, blob_key

SCHEME = "s3://"


class ObjectStoreError(ArchiveUnavailable):
    """The object store cannot be reached or used; the message says which and what to do."""

    hint = "Check --archive, GOVREPORTS_S3_ENDPOINT_URL and the AWS_* credentials."


def is_object_url(value: str | Path | None) -> bool:
    """True for an object-store archive (``s3://bucket/prefix``), False for a folder."""
    return isinstance(value, str) and value.lower().startswith(SCHEME)


@dataclass(frozen=True)
class S3Location:
    """A bucket and a key prefix (no leading or trailing slash; may be empty)."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Location:
        """``s3://bucket/some/prefix`` → its parts; :class:`ObjectStoreError` when malformed."""
        if not is_object_url(url):
            raise ObjectStoreError(f"{url!r} is not an s3://bucket/prefix URL")
        bucket, _, prefix = url[len(SCHEME):].partition("/")
        if not bucket:
            raise ObjectStoreError(f"{url!r} names no bucket: write s3://bucket/prefix")
        return cls(bucket, prefix.strip("/"))

    def key(self, *parts: str) -> str:
        """The object key of ``parts`` under the prefix."""
        return "/".join(p for p in (self.prefix, *parts) if p)

    def url(self, key: str = "") -> str:
        """``s3://bucket/key`` (the archive's own URL when ``key`` is empty)."""
        return f"{SCHEME}{self.bucket}/{key or self.prefix}".rstrip("/")


class S3Bucket:
    """The few object operations the archive needs, on one bucket, through boto3."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, client: Any = None) -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        if client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError as exc:  # the s3 extra is not installed
                raise ObjectStoreError("an s3:// archive needs boto3: pip install 'govreports[s3]'"
                                       ) from exc
            client = boto3.client("s3", endpoint_url=endpoint_url or None,
                                  config=Config(retries={"max_attempts": 5, "mode": "standard"}))
        self.client = client

    def _missing(self, exc: Exception) -> bool:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def check(self) -> None:
        """Raise :class:`ObjectStoreError` unless the bucket exists and answers."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:  # noqa: BLE001 - botocore raises many kinds; one meaning here
            where = f" at {self.endpoint_url}" if self.endpoint_url else ""
            raise ObjectStoreError(
                f"cannot use the bucket {self.bucket!r}{where} ({exc}); does it exist?") from exc

    def size(self, key: str) -> int | None:
        """The object's size, or None when there is no such object."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if self._missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    def put(self, key: str, data: bytes, *, sha256: str | None = None) -> None:
        """Store ``data`` under ``key`` (one request: the object appears whole or not at all)."""
        extra = {"Metadata": {"sha256": sha256}} if sha256 else {}
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, **extra)

    def upload(self, key: str, path: Path) -> None:
        """Upload a local file (multipart for large files) under ``key``."""
        self.client.upload_file(str(path), self.bucket, key)

    def get(self, key: str) -> bytes:
        """The object's bytes; FileNotFoundError when there is no such object."""
        with self.open(key) as stream:
            return stream.read()

    @contextmanager
    def open(self, key: str, offset: int = 0) -> Iterator[IO[bytes]]:
        """A stream of the object from ``offset`` on (a ranged GET: nothing before is sent)."""
        extra = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key, **extra)
        except Exception as exc:
            if self._missing(exc):
                raise FileNotFoundError(f"{SCHEME}{self.bucket}/{key}") from exc
            raise ObjectStoreError(f"cannot read {SCHEME}{self.bucket}/{key}: {exc}") from exc
        body = answer["Body"]
        try:
            yield body
        finally:
            body.close()

    def download(self, key: str, target: Path) -> None:
        """Copy the object to a local file; FileNotFoundError when there is no such object."""
        if self.size(key) is None:
            raise FileNotFoundError(f"{SCHEME}{self.bucket}/{key}")
        self.client.download_file(self.bucket, key, str(target))

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key starting with ``prefix``."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                       Prefix=prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield str(item["Key"])


class S3BlobStore:
    """Content-addressed blobs in a bucket, keyed like the folder store (``blobs/ab/cd/…``).

    A put asks first whether the digest is stored (HEAD) and sends the bytes only when it is
    not; an object is written in one PUT request, so a killed writer leaves nothing partial.
    """

    def __init__(self, bucket: S3Bucket, location: S3Location) -> None:
        self.bucket = bucket
        self.location = location

    @property
    def root(self) -> str:
        """Where the blobs are, for messages: ``s3://bucket/prefix/blobs``."""
        return self.location.url(self.location.key("blobs"))

    def _key(self, sha256: str) -> str:
        return self.location.key("blobs", blob_key(sha256))

    def location_for(self, sha256: str) -> str:
        """The blob's URL, recorded as the document's ``blob_path``."""
        return self.location.url(self._key(sha256))

    def put(self, data: bytes) -> StoredBlob:
        """Store ``data`` unless the same content is already there."""
        digest = hashlib.sha256(data).hexdigest()
        key = self._key(digest)
        if self.bucket.size(key) == len(data):
            return StoredBlob(digest, len(data), None, new=False, location=self.location.url(key))
        self.bucket.put(key, data, sha256=digest)
        return StoredBlob(digest, len(data), None, new=True, location=self.location.url(key))

    def get(self, sha256: str) -> bytes:
        """The stored bytes; raises FileNotFoundError when the digest is not stored."""
        return self.bucket.get(self._key(sha256))

    def exists(self, sha256: str) -> bool:
        """True when a blob with this digest is stored."""
        return self.bucket.size(self._key(sha256)) is not None

    def verify(self, sha256: str) -> bool:
        """Re-hash the stored object: True only if present and its content matches the digest."""
        try:
            data = self.get(sha256)
        except FileNotFoundError:
            return False
        return hashlib.sha256(data).hexdigest() == sha256.lower()

    def sweep_temporary(self) -> int:
        """Nothing to sweep: an object is written whole or not at all."""
        return 0


def read_object_url(url: str, *, endpoint_url: str | None = None) -> bytes:
    """The bytes of the object ``s3://bucket/key`` (a recorded ``blob_path``)."""
    location = S3Location.parse(url)
    return S3Bucket(location.bucket, endpoint_url=endpoint_url).get(location.prefix)
