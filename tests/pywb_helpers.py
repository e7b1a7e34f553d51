"""pywb for replay tests: its own virtualenv, a collection, a wayback server on 127.0.0.1.

pywb pins libraries the crawler cannot share (redis<3, brotlipy shadowing brotli), so it
lives in its own virtualenv, ``.venv-pywb`` (made by ``scripts/setup.sh``).
"""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PYWB = Path(__file__).resolve().parents[1] / ".venv-pywb" / "bin"


def require_pywb() -> None:
    """Skip (fail under ``CI=true``) when pywb's virtualenv is missing."""
    if (PYWB / "wayback").exists():
        return
    reason = f"pywb is not installed in {PYWB.parent} (run scripts/setup.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def make_collection(root: Path, name: str, archives: list[Path], *add_flags: str) -> None:
    """``wb-manager init NAME`` then ``wb-manager add [FLAGS] NAME ARCHIVES`` in ``root``."""
    manager = str(PYWB / "wb-manager")
    for args in (["init", name], ["add", *add_flags, name, *map(str, archives)]):
        result = subprocess.run([manager, *args], cwd=root, capture_output=True, text=True,
                                check=False)
        assert result.returncode == 0, (args[0], result.stderr[-3000:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def wayback(root: Path, collection: str) -> Iterator[str]:
    """A wayback server over ``root``'s collections, on a free 127.0.0.1 port; yields the
    collection's base URL and stops the server (by its PID) on exit."""
    port = _free_port()
    proc = subprocess.Popen([str(PYWB / "wayback"), "--bind", "127.0.0.1", "-p", str(port)],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/{collection}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base, timeout=5).close()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "wayback did not start"
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def replayed(base: str, url: str, timestamp: str = "29991231235959", hops: int = 5) -> bytes:
    """The payload pywb replays for ``url`` nearest ``timestamp`` (14 digits), unrewritten
    (``id_``) and decoded. An archived redirect is followed inside the archive: ``id_`` leaves
    its Location pointing at the live site."""
    request = urllib.request.Request(f"{base}{timestamp}id_/{url}",
                                     headers={"Accept-Encoding": "identity"})
    try:
        with _OPENER.open(request, timeout=30) as response:
            body = response.read()
            encoding = (response.headers.get("Content-Encoding") or "").lower()
    except urllib.error.HTTPError as exc:
        location = exc.headers.get("Location")
        if exc.code in (301, 302, 303, 307, 308) and location and hops > 0:
            target = urllib.parse.urljoin(url, location)
            if target.startswith(base):  # pywb's own redirect to the nearest capture
                target = target[len(base):].split("id_/", 1)[1]
            return replayed(base, target, timestamp, hops - 1)
        raise
    if encoding in ("gzip", "x-gzip"):
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body
