"""Write the hostile fixture files (run once; the outputs are committed).

``python -m tests.hostile.make_fixtures`` writes into ``tests/fixtures/hostile/``:

* ``zeros-1gib.gz.gz``: 1 GiB of zeros, gzip of gzip (about 2 kB);
* ``zeros-1gib.br``: 1 GiB of zeros, brotli;
* ``lying-sizes.docx``: a DOCX whose ``word/document.xml`` inflates to 1 GiB while its zip
  headers (local and central) say 2,000 bytes;
* ``stream-bomb.pdf``: a one-page PDF whose content stream inflates to 1 GiB.
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
GIB = 1 << 30
BLOCK = b"\0" * (1 << 24)


def _deflate_zeros(total: int, *, wbits: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    parts = [compressor.compress(BLOCK) for _ in range(total // len(BLOCK))]
    return b"".join(parts) + compressor.flush()


def gzip_gzip() -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as handle:
        for _ in range(GIB // len(BLOCK)):
            handle.write(BLOCK)
    return gzip.compress(buffer.getvalue(), compresslevel=9, mtime=0)


def brotli_zeros() -> bytes:
    import brotli

    compressor = brotli.Compressor(quality=1)
    parts = [compressor.process(BLOCK) if hasattr(compressor, "process")
             else compressor.compress(BLOCK) for _ in range(GIB // len(BLOCK))]
    return b"".join(parts) + compressor.finish()


def lying_docx() -> bytes:
    """A real DOCX, then word/document.xml replaced by a 1 GiB deflate stream with small sizes."""
    from crawler.testbed.reportgen import docx as docx_gen  # noqa: F401  (a real package layout)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.'
                         'wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("word/document.xml", b"<w:document/>" * 200)
    data = bytearray(buffer.getvalue())
    bomb = _deflate_zeros(GIB, wbits=-zlib.MAX_WBITS)
    # rebuild with the bomb as the member's data, keeping the headers' small sizes
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        infos = archive.infolist()
    out = io.BytesIO()
    central = []
    for info in infos:
        offset = out.tell()
        name = info.filename.encode()
        if info.filename == "word/document.xml":
            payload, declared_c, declared_u, crc = bomb, len(bomb), 2000, 0
        else:
            raw = zipfile.ZipFile(io.BytesIO(bytes(data))).read(info.filename)
            compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
            payload = compressor.compress(raw) + compressor.flush()
            declared_c, declared_u, crc = len(payload), len(raw), zlib.crc32(raw)
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, declared_c,
                              declared_u, len(name), 0) + name + payload)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                                   declared_c, declared_u, len(name), 0, 0, 0, 0, 0, offset) + name)
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), size,
                          start, 0))
    return out.getvalue()


def stream_bomb_pdf() -> bytes:
    """A valid-looking one-page PDF whose content stream inflates to 1 GiB of spaces."""
    compressor = zlib.compressobj(9)
    block = b" " * (1 << 24)
    stream = b"".join(compressor.compress(block) for _ in range(GIB // len(block)))
    stream += compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in (("zeros-1gib.gz.gz", gzip_gzip), ("zeros-1gib.br", brotli_zeros),
                       ("lying-sizes.docx", lying_docx), ("stream-bomb.pdf", stream_bomb_pdf)):
        data = make()
        (OUT / name).write_bytes(data)
        print(name, len(data))


if __name__ == "__main__":
    main()
