"""Parser throughput: documents per second per input format, and PDFs against pdftotext.

Run: ``.venv/bin/python benchmarks/parse.py [--count N] [--ocr-pages N] [--only-ocr]``. Documents come from
``crawler.testbed.reportgen`` (random reports of both templates). Each parse goes through the public
API (``parse_bytes``: a reused worker process with a per-document time limit); pdftotext runs as one
process per document too, on the same PDF files in the same run.

OCR: the page of each generated PDF that holds sections 三 and 四 is rasterised at 150 and
200 dpi into an image-only PDF and parsed (RapidOCR on the CPU); the figures are pages per
second, the share of those tables' cells read exactly (blank cells included), and the time
ratio against parsing the same page from its text PDF in the same run. Scans are parsed under
the crawl's limits (``timeout`` 60 s plus the OCR budget per page, ``GOVREPORTS_OCR_PAGE_SECONDS``),
and one whole report of ``--scan-pages`` pages (default 5) is scanned at 200 dpi and parsed
the same way: the figures say whether it fits.
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
    parser.add_argument("--ocr-pages", type=int, default=4, help="scanned pages per dpi (0: no OCR)")
    parser.add_argument("--only-ocr", action="store_true", help="only the OCR figures")
    parser.add_argument("--scan-pages", type=int, default=5,
                        help="pages of the whole-report scan parsed under the crawl's limits (0: none)")
    args = parser.parse_args()
    if args.ocr_pages:
        ocr_figures(args.ocr_pages)
    if args.scan_pages:
        whole_scan(args.scan_pages)
    if args.only_ocr:
        return
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


def _table_pages(pdf: bytes) -> list[int]:
    """The pages from section 三's heading to section 四's table."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    first = next(i for i, t in enumerate(texts) if "三、收到和处理" in t)
    last = next(i for i, t in enumerate(texts) if "四、政府信息公开" in t)
    if "五、" not in texts[last] and last + 1 < len(texts):
        last += 1
    return list(range(first, last + 1))


def _cells(report: GeneratedReport, record: dict | None) -> tuple[int, int]:
    """(cells read exactly, cells) of sections 三 and 四."""
    right = total = 0
    for table in ("applications", "review_litigation"):
        for row, columns in getattr(report, table).items():
            for col, value in columns.items():
                total += 1
                got = (record or {}).get(table, {}).get(row, {}).get(col, "<missing>")
                right += got == value and type(got) is type(value)
    return right, total


def ocr_figures(pages: int) -> None:
    """Pages/s and cell accuracy of scanned pages at 150 and 200 dpi, vs the text page."""
    from crawler.parsing.ocr_source import engine
    from crawler.testbed.reportgen.scan import rasterise_pdf

    engine()
    rng = random.Random(20261206)
    reports = [random_report(rng, consistent=True, blank_probability=0.1) for _ in range(pages)]
    pdfs = [render_pdf(r) for r in reports]
    page_of = [_table_pages(pdf) for pdf in pdfs]
    n_pages = sum(map(len, page_of))
    texts = [_text_page(pdf, p) for pdf, p in zip(pdfs, page_of, strict=True)]
    started = time.perf_counter()
    for data in texts:
        parse_bytes(data, filename="page.pdf", timeout=600)
    text_seconds = time.perf_counter() - started
    print(f"OCR: {n_pages} scanned pages per dpi (sections 三 and 四 of {pages} generated reports), "
          "RapidOCR on CPU")
    for dpi in (150, 200):
        scans = [rasterise_pdf(pdf, dpi, p) for pdf, p in zip(pdfs, page_of, strict=True)]
        right = total = 0
        started = time.perf_counter()
        outcomes = [parse_bytes(data, filename="scan.pdf", timeout=CRAWL_TIMEOUT) for data in scans]
        seconds = time.perf_counter() - started
        for report, outcome in zip(reports, outcomes, strict=True):
            r, t = _cells(report, outcome.record)
            right += r
            total += t
        ok = [o.status == "ok" for o in outcomes]
        parsed = [_cells(r, o.record) for r, o, good in zip(reports, outcomes, ok, strict=True) if good]
        right_ok, total_ok = sum(r for r, _ in parsed), sum(t for _, t in parsed)
        print(f"  {dpi} dpi: {n_pages / seconds:.3f} pages/s ({seconds / n_pages:.1f} s/page), "
              f"cells exact {right}/{total} = {100 * right / total:.2f}% (target >= 98% at 200 dpi), "
              f"time vs the same pages as text PDFs: {seconds / text_seconds:.0f}x, "
              f"{sum(ok)}/{len(outcomes)} ok under the crawl's limits "
              f"({[o.status for o in outcomes]}); cells exact in those: {right_ok}/{total_ok}"
              + (f" = {100 * right_ok / total_ok:.2f}%" if total_ok else ""))


CRAWL_TIMEOUT = 60.0  # the crawl's GOVREPORTS_PARSE_TIMEOUT default


def whole_scan(pages: int) -> None:
    """A whole generated report scanned at 200 dpi as ``pages`` pages (its pages in order, then
    again from the first: generated reports have 3), parsed under the crawl's limits: its
    status, time and the budget it had."""
    import pypdfium2 as pdfium

    from crawler.parsing.limits import ocr_page_seconds
    from crawler.testbed.reportgen.scan import rasterise_pdf

    report = random_report(random.Random(5), consistent=True, blank_probability=0.1)
    pdf = render_pdf(report)
    document = pdfium.PdfDocument(pdf)
    length = len(document)
    document.close()
    scan = rasterise_pdf(pdf, 200, [i % length for i in range(pages)])
    budget = CRAWL_TIMEOUT + pages * ocr_page_seconds()
    started = time.perf_counter()
    outcome = parse_bytes(scan, filename="scan.pdf", timeout=CRAWL_TIMEOUT)
    seconds = time.perf_counter() - started
    right, total = _cells(report, outcome.record)
    print(f"whole scan: {pages} pages at 200 dpi, {outcome.status} in {seconds:.0f} s "
          f"({seconds / pages:.1f} s/page) of its {budget:.0f} s budget "
          f"({CRAWL_TIMEOUT:.0f} s + {pages} x {ocr_page_seconds():.0f} s); "
          f"sections 三/四 cells exact {right}/{total}")


def _text_page(pdf: bytes, pages: list[int]) -> bytes:
    """Pages of a text PDF as their own PDF (the baseline for the OCR time ratio)."""
    import io

    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(pdf)
    out = pdfium.PdfDocument.new()
    out.import_pages(source, pages)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    main()
