"""Legacy Word 97 (.doc, OLE) renderer: the DOCX rendering converted by LibreOffice.

No pure-Python .doc writer exists, so this needs ``soffice`` (Debian package
``libreoffice-writer-nogui``; see ``scripts/system-deps.sh``). A conversion takes a few
seconds; tests use the committed fixtures in ``tests/fixtures/reportgen/`` instead
(made by ``python -m crawler.testbed.reportgen.make_doc_fixtures``).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from crawler.parsing.doc_source import seed_profile
from crawler.testbed.reportgen.docx import render_docx
from crawler.testbed.reportgen.model import GeneratedReport

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
CONVERT_TIMEOUT = 180


class ConverterMissing(RuntimeError):
    """No LibreOffice ``soffice`` on this machine, so no .doc can be made."""


def soffice_path() -> str | None:
    """The LibreOffice binary, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_soffice(data: bytes, suffix: str, target: str) -> bytes:
    """Convert a document's bytes with headless LibreOffice (e.g. ``target="doc:MS Word 97"``)."""
    binary = soffice_path()
    if binary is None:
        raise ConverterMissing(
            "rendering .doc needs LibreOffice; install it with: "
            "apt-get install -y libreoffice-writer-nogui (or run scripts/system-deps.sh)"
        )
    with tempfile.TemporaryDirectory(prefix="govreports-soffice-") as tmp:
        work = Path(tmp)
        source = work / f"report{suffix}"
        source.write_bytes(data)
        # A private profile per call: concurrent conversions must not share one; seeded so
        # that LibreOffice skips its graphics self-tests (crawler.parsing.doc_source)
        seed_profile(str(work / "profile"))
        profile = (work / "profile").as_uri()
        result = subprocess.run(
            [
                binary,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(work / "out"),
                str(source),
            ],
            capture_output=True,
            timeout=CONVERT_TIMEOUT,
            check=False,
        )
        produced = list((work / "out").glob("report.*")) if (work / "out").exists() else []
        if result.returncode != 0 or not produced:
            raise RuntimeError(
                f"soffice could not convert to {target}: "
                f"{result.stderr.decode('utf-8', 'replace').strip()[-500:]}"
            )
        return produced[0].read_bytes()


def render_doc(report: GeneratedReport) -> bytes:
    """The report as a Word 97 .doc; raises :class:`ConverterMissing` without LibreOffice."""
    data = convert_with_soffice(render_docx(report), ".docx", "doc:MS Word 97")
    if not data.startswith(OLE_MAGIC):
        raise RuntimeError("soffice output is not an OLE compound file")
    return data
