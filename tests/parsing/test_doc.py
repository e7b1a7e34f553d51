"""Legacy .doc files: the generator's committed fixtures (tests/fixtures/reportgen/)."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from crawler.parsing import parse_file
from crawler.testbed.reportgen import failed_checks, random_report
from tests.parsing.roundtrip import differences, failed_check_names

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reportgen"
DOCS = sorted(FIXTURES.glob("*.doc"))


def test_fixtures_are_present() -> None:
    assert len(DOCS) >= 3, f"no .doc fixtures in {FIXTURES}"


@pytest.mark.parametrize("path", DOCS, ids=[p.stem for p in DOCS])
def test_doc_fixture(path: Path) -> None:
    if not (shutil.which("soffice") or shutil.which("antiword")):
        pytest.skip("neither LibreOffice nor antiword is installed (scripts/system-deps.sh)")
    fixture = json.loads(path.with_suffix(".json").read_text("utf-8"))
    expected = fixture["expected_record"]
    outcome = parse_file(path, timeout=180)
    assert outcome.status == "ok", outcome.message
    record = outcome.record
    assert record is not None
    diffs = differences(record, expected)
    if shutil.which("soffice") is None:
        # antiword keeps the paragraphs but garbles merged table cells: metadata and text only
        diffs = [d for d in diffs if d.split(".")[0].split(":")[0] in
                 ("agency", "year", "title", "published_on", "sections")]
    else:
        report = random_report(random.Random(fixture["seed"]), **fixture["kwargs"])
        assert report.expected_record() == expected  # the fixture matches the generator
        assert failed_check_names(record) == sorted(failed_checks(report))
    assert diffs == []


_CONVERT_IN_A_CHILD = """
import sys
from crawler.parsing.doc_source import doc_document
doc = doc_document(open(sys.argv[1], "rb").read(), timeout=180)
assert doc.lines, "nothing read"
"""


_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]])
_, status, usage = os.wait4(child.pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, "the conversion failed"
print(usage.ru_maxrss)
"""


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_without_its_graphics_self_tests() -> None:
    """A fresh profile looks like an upgrade to LibreOffice, which then first draws its
    graphics self-tests on 64 MB canvases (about 215 MB peak); the seeded profile skips them."""
    import subprocess
    import sys

    # measured by a small launcher: a process forked from this (large) pytest process keeps
    # pytest's peak RSS in its ru_maxrss across exec, so the child must be forked from a small one
    out = subprocess.run([sys.executable, "-c", _LAUNCHER, _CONVERT_IN_A_CHILD, str(DOCS[0])],
                         cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
                         check=True)
    peak_mb = int(out.stdout.strip()) / 1024  # the largest of the child and LibreOffice
    assert peak_mb < 180, f"LibreOffice (or the child) peaked at {peak_mb:.0f} MB"
