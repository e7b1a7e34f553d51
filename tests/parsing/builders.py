"""Small real documents built for the tests: PDFs (text, encrypted, image-only, unruled
reports), zip bombs."""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Any

from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def text_pdf(lines: list[str], *, password: str | None = None) -> bytes:
    """A one-page PDF with one line of text per entry (tabs become wide gaps)."""
    buf = io.BytesIO()
    encrypt = StandardEncryption(password, ownerPassword="owner") if password else None
    c = canvas.Canvas(buf, encrypt=encrypt)
    c.setFont(FONT, 10)
    y = 800
    for line in lines:
        for i, part in enumerate(line.split("\t")):
            c.drawString(40 + 60 * i if i else 40, y, part)
        y -= 14
    c.save()
    return buf.getvalue()


def image_only_pdf() -> bytes:
    """A PDF whose page is one 8x8 grey image and no text, like a scan."""
    pixels = zlib.compress(bytes(range(64)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
    ]
    content = b"q 200 0 0 200 0 0 cm /Im1 Do Q"
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(
        b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(pixels)
        + pixels + b"\nendstream"
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def zip_bomb_docx(inflated: int = 12 * 1024 * 1024) -> bytes:
    """A DOCX-shaped zip whose document.xml inflates to ``inflated`` bytes of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated // len(chunk)):
                member.write(chunk)
    return buf.getvalue()


def report_pdf(report: Any) -> bytes:
    """A generated report as a PDF without ruling lines: text rows, table fields in columns."""
    from reportlab.lib.pagesizes import A3, landscape

    from crawler.testbed.reportgen import render_text

    size = 8
    buf = io.BytesIO()
    width, height = landscape(A3)
    c = canvas.Canvas(buf, pagesize=(width, height))
    c.setFont(FONT, size)
    lines = render_text(report).splitlines()
    y = height - 40
    i = 0
    while i < len(lines):
        if "\t" in lines[i]:  # a table: its consecutive tab lines share column positions
            block = [lines[i]]
            while i + 1 < len(lines) and "\t" in lines[i + 1]:
                i += 1
                block.append(lines[i])
            rows = [line.split("\t") for line in block]
            ncols = max(map(len, rows))
            widths = [max((pdfmetrics.stringWidth(r[k], FONT, size) for r in rows if k < len(r)),
                          default=0) + 12 for k in range(ncols)]
            xs = [30 + sum(widths[:k]) for k in range(ncols)]
        else:
            text = lines[i]
            rows, xs = [[text[j:j + 150]] for j in range(0, max(len(text), 1), 150)], [30.0]
        for row in rows:
            if y < 40:
                c.showPage()
                c.setFont(FONT, size)
                y = height - 40
            for k, part in enumerate(row):
                c.drawString(xs[k], y, part)
            y -= size * 1.6
        i += 1
    c.save()
    return buf.getvalue()
