"""Streamed, bounded content decoding (every layer of a stacked encoding counts)."""

from __future__ import annotations

import gzip
import os
import resource
import zlib
from pathlib import Path

import brotli
import pytest

from crawler.fetch.content_encoding import ContentDecodingError, DecodedTooLarge, decode_content

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
BODY = os.urandom(200_000) + "政府信息公开工作年度报告".encode() * 1000


@pytest.mark.parametrize(("header", "encode"), [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compressobj(6, zlib.DEFLATED, -15).compress(b)
     + zlib.compressobj(6, zlib.DEFLATED, -15).flush()),
    ("br", brotli.compress),
    ("deflate, gzip", lambda b: gzip.compress(zlib.compress(b))),
    ("gzip, br, identity", lambda b: brotli.compress(gzip.compress(b))),
    ("gzip", lambda b: gzip.compress(b[:1000]) + gzip.compress(b[1000:])),  # two members
])
def test_round_trip_within_the_limit(header: str, encode) -> None:  # type: ignore[no-untyped-def]
    data = encode(BODY)
    if header == "deflate" and data[:1] != b"x":  # the raw deflate case, built in two calls
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        data = compressor.compress(BODY) + compressor.flush()
    assert decode_content(data, header, len(BODY)) == BODY
    with pytest.raises(DecodedTooLarge):
        decode_content(data, header, len(BODY) - 1)


def test_double_gzip_bomb_stops_at_the_limit_with_bounded_memory() -> None:
    bomb = (FIXTURES / "zeros-1gib.gz.gz").read_bytes()
    assert len(bomb) < 2048
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(DecodedTooLarge) as caught:
        decode_content(bomb, "gzip, gzip", 8 * 1024 * 1024)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert caught.value.max_size == 8 * 1024 * 1024
    assert grown_mb < 64  # an unbounded decode would have held 1 GiB


def test_brotli_bomb_stops_at_the_limit() -> None:
    with pytest.raises(DecodedTooLarge):
        decode_content((FIXTURES / "zeros-1gib.br").read_bytes(), "br", 4 * 1024 * 1024)


def test_broken_bodies_are_decoding_errors_not_crashes() -> None:
    for body, header in ((BODY, "gzip"), (gzip.compress(BODY)[:400], "gzip"), (BODY, "br"),
                         (BODY, "deflate"), (BODY, "compress"), (b"\x1f\x8b" * 10, "gzip")):
        with pytest.raises(ContentDecodingError):
            decode_content(body, header, 10 << 20)
    assert decode_content(b"", "gzip", 10) == b""  # an empty 204/304 body
