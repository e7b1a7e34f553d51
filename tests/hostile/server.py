"""A hostile HTTP server on 127.0.0.1: what a malicious or broken portal can send.

Run as ``python -m tests.hostile.server [--port N] [--target URL]``: it prints its base URL
and serves until killed. ``--target`` is where the off-scope redirects point (another local
server, standing for a credentials endpoint). Every path is listed on ``/``, whose links the
crawler follows:

* ``/bomb.html``: 1 GiB of zeros as double gzip (``Content-Encoding: gzip, gzip``), ~2 kB;
* ``/bomb-br.html``: 1 GiB of zeros as brotli;
* ``/drip.html``: a byte every half second, forever (``Content-Length`` 1 MB);
* ``/short.html``: ``Content-Length`` 100000, then 20 bytes and the connection closes;
* ``/hugeline.html``: one 10 M-character line of CJK text without spaces;
* ``/hanweb-trap.html``: 40,000 CJK characters without a space (no ``dataproxy.jsp``);
* ``/flood.html``: 100,000 links;
* ``/redirect-off``: 302 to ``--target``; ``/refresh-off``: a meta refresh to it;
* ``/redirect-chain``: 302 to ``/redirect-hop`` (in scope), which 302s to ``--target``;
* ``/redirect-metadata``: 302 to ``http://169.254.169.254/latest/meta-data/``;
* ``/redirect-private``: 302 to ``http://10.0.0.1/``;
* ``/same-plain.html``, ``/same-plain-again.html``: the same page; ``/same-gzip.html``: it
  gzip-encoded (the same decoded bytes, a different payload on the wire).

``/hits`` answers with a JSON count of requests per path (to prove what was not fetched).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import threading
import time
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PAGE = "<html><head><title>{title}</title></head><body>{body}</body></html>"
#: Cases a seed page links to (the crawler finds them as an attacker's portal would offer them).
CASES = ("bomb.html", "bomb-br.html", "drip.html", "short.html", "hugeline.html",
         "hanweb-trap.html", "flood.html", "redirect-off", "refresh-off", "redirect-chain",
         "redirect-metadata", "redirect-private", "same-plain.html", "same-gzip.html",
         "same-plain-again.html")
#: One page, sent plain at two URLs and gzip-encoded at a third (identical-payload dedup).
SAME = ("<html><head><title>同一页面</title></head><body>" + "内容" * 2000
        + "</body></html>").encode()


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"


@cache
def zeros_gzip_gzip() -> bytes:
    """1 GiB of zeros, gzip of gzip: 1,827 bytes (tests/hostile/make_fixtures.py)."""
    return (FIXTURES / "zeros-1gib.gz.gz").read_bytes()


@cache
def zeros_brotli() -> bytes:
    """1 GiB of zeros as brotli: 195 kB."""
    return (FIXTURES / "zeros-1gib.br").read_bytes()


@cache
def huge_line() -> bytes:
    return PAGE.format(title="年报", body="年度报告政府信息公开" * 1_000_000).encode()


@cache
def hanweb_trap() -> bytes:
    body = "<p>" + "政" * 40_000 + "</p>"  # the page that stalled the old Hanweb check 21 s
    return PAGE.format(title="信息公开", body=body).encode()


@cache
def link_flood() -> bytes:
    links = "".join(f'<a href="/flood/{i}.html">第{i}条</a>' for i in range(100_000))
    return PAGE.format(title="目录", body=links).encode()


class HostileHandler(BaseHTTPRequestHandler):
    """Serves the hostile cases; ``server.target`` is where off-scope redirects point."""

    protocol_version = "HTTP/1.1"
    server: HostileServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        fields = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}
        fields.update(headers or {})
        for name, value in fields.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", {"Location": location})

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        self.server.count(path)
        target = self.server.target
        if path == "/":
            links = "".join(f'<a href="/{c}">信息公开 {c}</a>' for c in CASES)
            self._send(200, PAGE.format(title="政府信息公开", body=links).encode())
        elif path == "/hits":
            self._send(200, json.dumps(self.server.hits).encode(),
                       {"Content-Type": "application/json"})
        elif path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        elif path == "/bomb.html":
            self._send(200, zeros_gzip_gzip(), {"Content-Encoding": "gzip, gzip"})
        elif path == "/bomb-br.html":
            self._send(200, zeros_brotli(), {"Content-Encoding": "br"})
        elif path == "/drip.html":
            self._drip()
        elif path == "/short.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html><body>trunc")
            self.wfile.flush()
            self.close_connection = True
        elif path == "/hugeline.html":
            self._send(200, huge_line())
        elif path == "/hanweb-trap.html":
            self._send(200, hanweb_trap())
        elif path == "/flood.html":
            self._send(200, link_flood())
        elif path.startswith("/flood/"):
            self._send(200, PAGE.format(title="条目", body="").encode())
        elif path == "/redirect-off":
            self._redirect(target)
        elif path == "/refresh-off":
            body = f'<html><head><meta http-equiv="refresh" content="0;url={target}"></head></html>'
            self._send(200, body.encode())
        elif path == "/redirect-chain":
            self._redirect("/redirect-hop")
        elif path == "/redirect-hop":
            self._redirect(target)
        elif path == "/redirect-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/redirect-private":
            self._redirect("http://10.0.0.1/")
        elif path in ("/same-plain.html", "/same-plain-again.html"):
            self._send(200, SAME)
        elif path == "/same-gzip.html":
            self._send(200, gzip.compress(SAME, mtime=0), {"Content-Encoding": "gzip"})
        else:
            self._send(404, b"not found")

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(1 << 20))
        self.end_headers()
        try:
            while not self.server.stopping.is_set():
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            return


class HostileServer(ThreadingHTTPServer):
    """The server, with its request counts and the off-scope target."""

    daemon_threads = True

    def __init__(self, port: int = 0, target: str = "http://127.0.0.1:9/") -> None:
        super().__init__(("127.0.0.1", port), HostileHandler)
        self.target = target
        self.hits: dict[str, int] = {}
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    def count(self, path: str) -> None:
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def shutdown(self) -> None:
        self.stopping.set()
        super().shutdown()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--target", default="http://127.0.0.1:9/")
    args = parser.parse_args(argv)
    server = HostileServer(args.port, args.target)
    for make in (zeros_gzip_gzip, zeros_brotli, huge_line, hanweb_trap, link_flood):
        make()  # built before the address is printed: no request waits for them
    print(server.base_url, flush=True)
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
