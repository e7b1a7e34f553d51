"""The canonical-URL examples in docs/crawling.md are what canonicalize() does."""

from __future__ import annotations

import re
from pathlib import Path

from crawler.discovery.urls import canonicalize

DOC = Path(__file__).resolve().parents[2] / "docs" / "crawling.md"
ROW = re.compile(r"^\| `([^`]+)` \| `([^`]+)` \|$")


def test_every_documented_example_holds() -> None:
    rows = [ROW.match(line) for line in DOC.read_text(encoding="utf-8").splitlines()]
    examples = [(m.group(1), m.group(2)) for m in rows if m]
    assert len(examples) >= 10
    for found, canonical in examples:
        assert canonicalize(found) == canonical, found
        assert canonicalize(canonical) == canonical  # canonical forms are fixed points
