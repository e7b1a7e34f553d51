"""Legacy Word/WPS binary files (OLE): LibreOffice when installed, else ``antiword``.

LibreOffice converts to DOCX (read by :mod:`crawler.parsing.docx_source`), keeping merged
table cells; antiword (fast, but it garbles merged cells and loses the report tables) prints
table rows as ``|cell|cell|``, read as tab rows.

Each conversion gets a fresh LibreOffice profile, seeded with a "last version" above any
release: LibreOffice takes a profile it has not seen as an upgrade and first runs its
graphics self-tests (``GraphicsRenderTests``: 4096x4096 canvases, 64 MB each), which took
its peak from about 138 to 215 MB and its time from about 2 to 7 s per document.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from crawler.parsing.docx_source import docx_document
from crawler.parsing.layout import Doc
from crawler.parsing.outcome import ParseFailure
from crawler.parsing.text_source import text_document
from crawler.run.children import die_with_parent, temp_dir

#: The profile's settings: a "last version" no release reaches, so that no start is an upgrade.
PROFILE_SEED = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" oor:op="fuse">\
<value>99.9</value></prop></item>
</oor:items>
"""


def seed_profile(profile: str) -> None:
    """Create the LibreOffice profile folder ``profile`` with :data:`PROFILE_SEED`."""
    user = os.path.join(profile, "user")
    os.makedirs(user, exist_ok=True)
    with open(os.path.join(user, "registrymodifications.xcu"), "w", encoding="utf-8") as fh:
        fh.write(PROFILE_SEED)


def doc_document(data: bytes, timeout: float = 60.0) -> Doc:
    """Lines of a DOC/WPS file."""
    if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
        raise ParseFailure("encrypted", "the document is password-protected; ask for an unprotected copy")
    with temp_dir("doc") as tmp:
        path = os.path.join(tmp, "input.doc")
        with open(path, "wb") as fh:
            fh.write(data)
        failure = "neither LibreOffice nor antiword is installed (see scripts/system-deps.sh)"
        office = shutil.which("soffice") or shutil.which("libreoffice")
        if office:  # exact tables (merged cells kept); antiword garbles merged tables
            seed_profile(os.path.join(tmp, "profile"))
            subprocess.run(
                [office, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                 "--convert-to", "docx", "--outdir", tmp, path],
                capture_output=True, timeout=timeout, check=False, preexec_fn=die_with_parent,  # noqa: PLW1509
            )
            converted = os.path.join(tmp, "input.docx")
            if os.path.exists(converted):
                with open(converted, "rb") as fh:
                    return docx_document(fh.read())
            failure = "LibreOffice could not convert it"
        if shutil.which("antiword"):
            result = subprocess.run(
                ["antiword", "-w", "0", "-m", "UTF-8.txt", path],
                capture_output=True, timeout=timeout, check=False, preexec_fn=die_with_parent,  # noqa: PLW1509
            )
            err = result.stderr.decode("utf-8", "replace")
            if "encrypt" in err.lower():
                raise ParseFailure("encrypted", "the document is password-protected")
            if result.returncode == 0 and result.stdout.strip():
                return _antiword_doc(result.stdout.decode("utf-8", "replace"))
            failure += f"; antiword could not read it ({err.strip()[:200]})"
    raise ParseFailure("corrupt", f"the DOC/WPS file cannot be read: {failure}")


def _antiword_doc(text: str) -> Doc:
    rows = []
    for line in text.splitlines():
        stripped = line.strip()
        end = stripped.rfind("|")
        if stripped.startswith("|") and end > 0:
            rows.append("\t".join(cell.strip() for cell in stripped[1:end].split("|")))
            if stripped[end + 1 :].strip():  # a paragraph run into the table's last row
                rows.append(stripped[end + 1 :].strip())
        else:
            rows.append(line)
    doc = text_document("\n".join(rows) + "\n\t")  # the tab keeps it in tab mode
    doc.mode = "tabs"
    return doc
