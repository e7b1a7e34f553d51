"""Undoing HTTP Content-Encoding."""

from __future__ import annotations

import gzip
import zlib

import pytest

from crawler.fetch.content_encoding import ContentDecodingError, decode_content

BODY = "政府信息公开工作年度报告".encode() * 50


def test_identity_and_none() -> None:
    assert decode_content(BODY, None) == BODY
    assert decode_content(BODY, "identity") == BODY


def test_gzip() -> None:
    assert decode_content(gzip.compress(BODY), "gzip") == BODY
    assert decode_content(gzip.compress(BODY), " X-GZIP ") == BODY


def test_deflate_zlib_and_raw() -> None:
    assert decode_content(zlib.compress(BODY), "deflate") == BODY
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decode_content(raw.compress(BODY) + raw.flush(), "deflate") == BODY


def test_stacked_encodings() -> None:
    assert decode_content(gzip.compress(zlib.compress(BODY)), "deflate, gzip") == BODY


def test_bad_gzip_raises() -> None:
    with pytest.raises(ContentDecodingError):
        decode_content(BODY, "gzip")
    with pytest.raises(ContentDecodingError):
        decode_content(gzip.compress(BODY)[:40], "gzip")
    with pytest.raises(ContentDecodingError):
        decode_content(BODY, "deflate")
    with pytest.raises(ContentDecodingError):
        decode_content(BODY, "compress")
