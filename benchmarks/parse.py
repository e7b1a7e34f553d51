"""Parser throughput: documents per second per input format, and PDFs against pdftotext.

Run: ``.venv/bin/python benchmarks/parse.py [--count N]``. Documents come from
``crawler.testbed.reportgen`` (random reports of both templates). Each parse goes through the public
API (``parse_bytes``: a reused worker process with a per-document time limit); pdftotext runs as one
process per document too, on the same PDF files in the same run.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.parsing import parse_bytes  # noqa: E402
from crawler.testbed.reportgen import (  # noqa: E402
    GeneratedReport,
    random_report,
    render_doc,
    render_docx,
    render_html,
    render_pdf,
    render_text,
)


def renderers() -> dict[str, tuple[str, Callable[[GeneratedReport], bytes]]]:
    """Each input format the parser reads, with a file name and the generator's renderer."""
    return {
        "html": ("r.html", lambda r: render_html(r).encode("utf-8")),
        "text": ("r.txt", lambda r: render_text(r).encode("utf-8")),
        "pdf": ("r.pdf", render_pdf),
        "docx": ("r.docx", render_docx),
        "doc": ("r.doc", render_doc),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30, help="documents per format")
    args = parser.parse_args()
    rng = random.Random(20240601)
    reports = [random_report(rng, consistent=i % 3 != 0, blank_probability=0.1)
               for i in range(args.count)]
    print(f"{args.count} generated reports per format; parse_bytes through its reused worker process")
    pdfs: list[bytes] = []
    parse_pdf_seconds = 0.0
    for fmt, (name, render) in renderers().items():
        count = args.count if fmt != "doc" else max(1, args.count // 10)
        docs = [render(r) for r in reports[:count]]
        ok = 0
        started = time.perf_counter()
        for data in docs:
            ok += parse_bytes(data, filename=name).status == "ok"
        seconds = time.perf_counter() - started
        print(f"{fmt:5s} {count / seconds:8.1f} docs/s  ({seconds / count * 1000:7.1f} ms/doc, "
              f"{ok}/{count} ok, {sum(map(len, docs)) // count} bytes avg)")
        if fmt == "pdf":
            pdfs, parse_pdf_seconds = docs, seconds
    tool = shutil.which("pdftotext")
    if not tool:
        print("pdftotext not installed (scripts/system-deps.sh): no PDF ratio")
        return
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, data in enumerate(pdfs):
            path = Path(tmp) / f"{i}.pdf"
            path.write_bytes(data)
            paths.append(path)
        started = time.perf_counter()
        for path in paths:
            subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True)
        baseline = time.perf_counter() - started
    print(f"pdftotext -layout: {len(pdfs) / baseline:8.1f} docs/s ({baseline / len(pdfs) * 1000:.1f} ms/doc)")
    print(f"PDF parse / pdftotext time ratio: {parse_pdf_seconds / baseline:.2f}x (target < 3x)")


if __name__ == "__main__":
    main()
