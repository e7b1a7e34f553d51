"""The content-addressed blob store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from storage.blobs import LocalBlobStore


def test_put_get_layout_and_dedupe(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    data = "政府信息公开工作年度报告".encode()
    digest = hashlib.sha256(data).hexdigest()
    first = store.put(data)
    assert (first.sha256, first.size, first.new) == (digest, len(data), True)
    assert first.path == tmp_path / "blobs" / digest[:2] / digest[2:4] / digest
    assert store.get(digest) == data and store.exists(digest)
    again = store.put(data)
    assert again.new is False and again.path == first.path
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == [first.path]


def test_verify_detects_corruption_and_absence(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    stored = store.put(b"%PDF-1.7 report")
    assert store.verify(stored.sha256)
    stored.path.write_bytes(b"%PDF-1.7 tampered")
    assert not store.verify(stored.sha256)
    missing = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(missing) and not store.verify(missing)
    with pytest.raises(FileNotFoundError):
        store.get(missing)


def test_rejects_non_digest(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sha256"):
        LocalBlobStore(tmp_path).path_for("../../etc/passwd")


def test_put_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    for i in range(5):
        store.put(bytes([i]) * 1000)
    assert not [p for p in tmp_path.rglob(".tmp-*")]
