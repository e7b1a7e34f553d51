"""DOCX files: body paragraphs and tables in order, merged cells expanded (python-docx XML).

The archive is inspected before python-docx reads it: declared sizes beyond
``max_uncompressed`` are refused at once, and then every member is inflated with a running
count (:func:`crawler.parsing.inflate.check_zip_members`), so a zip whose headers lie about
its sizes is refused too (``too_large``).
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

from crawler.parsing.inflate import check_zip_members
from crawler.parsing.layout import Cell, Doc, Line, Source, paragraph
from crawler.parsing.outcome import ParseFailure

MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 200


def check_zip(data: bytes, max_uncompressed: int = MAX_UNCOMPRESSED) -> None:
    """Refuse archives that would inflate past the limit; raise ParseFailure."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseFailure("corrupt", f"the DOCX is not a readable zip archive ({exc})") from exc
    if "EncryptedPackage" in names:
        raise ParseFailure("encrypted", "the document is password-protected; ask for an unprotected copy")
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        raise ParseFailure(
            "too_large",
            f"the DOCX would inflate to {total} bytes (limit {max_uncompressed}); likely a zip bomb",
        )
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 * 1024 * 1024:
            raise ParseFailure(
                "too_large",
                f"{info.filename} inflates {info.file_size // max(info.compress_size, 1)}x; likely a zip bomb",
            )
    if "word/document.xml" not in names:
        raise ParseFailure("corrupt", "the archive has no word/document.xml")
    check_zip_members(data, max_uncompressed)


def docx_document(data: bytes) -> Doc:
    """Lines of a DOCX body in order."""
    import docx
    from docx.oxml.ns import qn

    check_zip(data)
    try:
        document = docx.Document(BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for broken packages
        raise ParseFailure("corrupt", f"the DOCX cannot be read ({type(exc).__name__}: {exc})") from exc
    lines: list[Line] = []
    tables = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            text = _text(child, qn)
            if text.strip():
                lines.append(paragraph(text))
        elif child.tag == qn("w:tbl"):
            lines.extend(_table(child, qn, tables))
            tables += 1
    return Doc(lines, "grid")


def _text(el: Any, qn: Any) -> str:
    parts: list[str] = []
    for node in el.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:p")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab") or node.tag == qn("w:p") and parts:
            parts.append(" ")
    return "".join(parts)


def _table(tbl: Any, qn: Any, index: int) -> list[Line]:
    lines: list[Line] = []
    above: dict[int, Cell] = {}  # column -> cell that a vMerge continues
    for r, tr in enumerate(tbl.iterchildren(qn("w:tr"))):
        cells: list[Cell] = []
        col = 0
        for tc in tr.iterchildren(qn("w:tc")):
            props = tc.find(qn("w:tcPr"))
            span, merge = 1, None
            if props is not None:
                grid_span = props.find(qn("w:gridSpan"))
                if grid_span is not None:
                    span = int(grid_span.get(qn("w:val"), "1") or 1)
                v_merge = props.find(qn("w:vMerge"))
                if v_merge is not None:
                    merge = v_merge.get(qn("w:val"), "continue")
            if merge == "continue" and col in above:
                origin = above[col]
                cells.append(Cell(origin.text, col, col + span, carried=True))
            else:
                text = " ".join(_text(tc, qn).split())
                cell = Cell(text, col, col + span, source=Source(table=index, row=r, column=col))
                cells.append(cell)
                above[col] = cell
            col += span
        lines.append(Line(cells, in_table=True))
    return lines
