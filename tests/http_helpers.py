"""Small local HTTP servers for tests: a quiet handler base and a block that serves it.

Tests that need a site with one odd behaviour (a slow page, a 429, a hanging script) write a
``QuietHandler`` subclass with ``do_GET`` and serve it on 127.0.0.1 for the test::

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_body(200, "<html>…</html>")

    with serving(Handler) as base_url:   # "http://127.0.0.1:PORT", no trailing slash
        ...
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML = "text/html; charset=utf-8"


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers with one call."""

    def send_body(self, status: int, body: str | bytes, headers: Mapping[str, str] | None = None) -> None:
        """Answer ``status`` with ``body`` (text is UTF-8 encoded); ``Content-Type`` defaults to HTML."""
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for name, value in {"Content-Type": HTML, **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server naming
        return


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free 127.0.0.1 port in a thread; yield the base URL (no trailing slash)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
