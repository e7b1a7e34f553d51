"""One site of the portal on its own ``ThreadingHTTPServer`` (optionally TLS) in a thread."""

from __future__ import annotations

import dataclasses
import email.utils
import gzip
import hashlib
import re
import ssl
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode

from crawler.testbed.sample_portal.dynamic import calendar_page, jpage_answer
from crawler.testbed.sample_portal.model import ORIGIN, PORT, Resource, SiteModel
from crawler.testbed.sample_portal.noise import not_found_page

_JSESSIONID = re.compile(r";jsessionid=[^/?#]*", re.I)
_SESSION_PARAMS = frozenset({"sid", "jsessionid"})
_CHUNK = 64 * 1024


class LoggedRequest(NamedTuple):
    """One answered request and the body bytes sent (0 for HEAD and 304)."""

    method: str
    url: str
    status: int
    size: int


class RequestLog:
    """Thread-safe record of every request answered: (method, url, status), plus bytes sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[LoggedRequest] = []

    def append(self, entry: tuple[str, str, int], size: int = 0) -> None:
        """Record one answered request whose body was ``size`` bytes on the wire."""
        with self._lock:
            self._records.append(LoggedRequest(*entry, size))

    def entries(self) -> list[tuple[str, str, int]]:
        """A snapshot of the log: (method, url, status) per request."""
        with self._lock:
            return [(r.method, r.url, r.status) for r in self._records]

    def records(self) -> list[LoggedRequest]:
        """A snapshot of the log with the body size of each answer."""
        with self._lock:
            return list(self._records)

    def bytes_sent(self) -> int:
        """Body bytes sent so far (as sent: gzip-encoded when the answer was)."""
        with self._lock:
            return sum(r.size for r in self._records)

    def clear(self) -> None:
        """Forget everything logged so far."""
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __iter__(self) -> Iterator[tuple[str, str, int]]:
        return iter(self.entries())


class SiteState:
    """What the handlers of one site share: the model, counters and the request log."""

    def __init__(self, site: SiteModel, *, seed: int, log: RequestLog) -> None:
        self.site = site
        self.seed = seed
        self.log = log
        self.origin = ""
        self.resources: dict[str, Resource] = site.resources
        self._lock = threading.Lock()
        self._hits: dict[str, int] = {}
        #: id(stored body) -> (that body, its gzip encoding, its ETag): a stored body is
        #: compressed and hashed once, not per request (the body is kept, so its id stays its own)
        self._encoded: dict[int, tuple[bytes, bytes | None, str | None]] = {}

    def bind(self, origin: str) -> None:
        """Know the site's own origin; bodies naming ``__ORIGIN__`` get it filled in."""
        self.origin = origin
        self.load(self.site.resources)

    def load(self, resources: Mapping[str, Resource]) -> None:
        """Serve ``resources`` from now on (one atomic swap: requests in flight keep the old set)."""
        marker, port_marker = ORIGIN.encode(), PORT.encode()
        origin = self.origin.encode()
        port = self.origin.rsplit(":", 1)[-1].encode()

        def filled(body: bytes) -> bytes:
            return body.replace(marker, origin).replace(port_marker, port)

        self.resources = {
            path: (dataclasses.replace(res, body=filled(res.body))
                   if marker in res.body or port_marker in res.body else res)
            for path, res in resources.items()
        }

    def gzipped(self, body: bytes) -> bytes:
        """``gzip.compress(body, mtime=0)``, once per stored body (see ``_encoded``)."""
        body_, packed, tag = self._encoded.get(id(body), (None, None, None))
        if body_ is not body or packed is None:
            packed = gzip.compress(body, mtime=0)
            with self._lock:
                self._encoded[id(body)] = (body, packed, tag if body_ is body else None)
        return packed

    def etag(self, body: bytes) -> str:
        """:func:`etag` of ``body``, once per stored body."""
        body_, packed, tag = self._encoded.get(id(body), (None, None, None))
        if body_ is not body or tag is None:
            tag = etag(body)
            with self._lock:
                self._encoded[id(body)] = (body, packed if body_ is body else None, tag)
        return tag

    def hit(self, key: str) -> int:
        """Count one more request of ``key``; the new count (thread-safe)."""
        with self._lock:
            self._hits[key] = self._hits.get(key, 0) + 1
            return self._hits[key]


def etag(body: bytes) -> str:
    """The strong ETag of a body (its gzip-encoded form gets ``-gzip`` before the last quote)."""
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def _opaque(tag: str) -> str:
    """An entity tag for weak comparison: no ``W/``, no ``-gzip`` content-coding suffix."""
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    return tag[:-6] + '"' if tag.endswith('-gzip"') else tag


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TRS WCM/7.0"
    # headers and body leave in one write, without Nagle's delay on kept-alive connections
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    state: SiteState  # set on the subclass made per site

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the portal's :class:`RequestLog` records requests."""

    def _serve(self, method: str) -> None:
        path, _, query = self.path.partition("?")
        path = _JSESSIONID.sub("", path)
        params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                  if k.lower() not in _SESSION_PARAMS]
        resources = self.state.resources
        site = self.state.site
        name = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        if site.hostnames and name != site.hostnames[0]:  # a virtual host: its own resources
            path = f"//{name}{path}" if name in site.hostnames else f"//unknown{path}"
        res = resources.get(f"{path}?{urlencode(params)}") if params else None
        if res is None and params:  # stored with their parameters sorted
            res = resources.get(f"{path}?{urlencode(sorted(params))}")
        if res is None:
            res = resources.get(path)
        if res is None and site.soft_404_body is not None and not path.startswith("//unknown"):
            res = Resource(site.soft_404_body, 200, (("Content-Type", "text/html; charset=utf-8"),))
        form: dict[str, str] = {}
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace")))
        if res is None:
            self._send(method, 404, {"Content-Type": "text/html; charset=utf-8"}, not_found_page())
            return
        if (method == "POST") != (res.behaviour == "jpage"):
            self._send(method, 405, {"Allow": "POST" if res.behaviour == "jpage" else "GET, HEAD"},
                       b"method not allowed")
            return
        if res.delay:
            time.sleep(res.delay)
        headers = dict(res.headers)
        body = res.body
        status = res.status
        if res.behaviour == "throttled" and self.state.hit(self.path) <= res.amount:
            self._send(method, 429, {"Content-Type": "text/html; charset=utf-8", "Retry-After": "1"},
                       b"<html><body><h1>429</h1><p>Too many requests</p></body></html>")
            return
        if res.behaviour == "transient" and self.state.hit(path) <= res.amount:
            self._send(method, 500, {"Content-Type": "text/html; charset=utf-8"},
                       b"<html><body><h1>500</h1><p>Service temporarily unavailable</p></body></html>")
            return
        if res.behaviour == "calendar":
            body = calendar_page(dict(params).get("month"))
            headers["Content-Type"] = "text/html; charset=utf-8"
        elif res.behaviour == "session":
            sid = hashlib.sha1(f"{self.state.seed}:{path}:{self.state.hit('session:' + path)}"
                               .encode()).hexdigest()[:32].upper()
            body = body.replace(b"__SID__", sid.encode())
        elif res.behaviour == "jpage":
            body = self._jpage(dict(params), form)
        elif res.behaviour == "large":
            self._stream_large(method, res.amount)
            return
        compress = self._gzip_wanted(headers, body)
        stored = body is res.body  # not built for this request: encoded once, then reused
        if res.behaviour == "cacheable":
            tag = self.state.etag(body) if stored else etag(body)
            headers["ETag"] = tag[:-1] + '-gzip"' if compress else tag
            headers["Last-Modified"] = email.utils.formatdate(res.last_modified, usegmt=True)
            if self._not_modified(tag, res.last_modified):
                kept = ("ETag", "Last-Modified", "Vary")
                self._send(method, 304, {k: v for k, v in headers.items() if k in kept}, b"")
                return
        if compress:
            headers["Content-Encoding"] = "gzip"
            body = self.state.gzipped(body) if stored else gzip.compress(body, mtime=0)
        self._send(method, status, headers, body)

    def _jpage(self, params: dict[str, str], form: dict[str, str]) -> bytes:
        records = self.state.site.jpage_columns.get(form.get("columnid", ""), [])
        try:
            start = int(params.get("startrecord", "1"))
            end = int(params.get("endrecord", str(start + 44)))
        except ValueError:
            start, end = 1, 45
        return jpage_answer(records, start, end, self.path.split("?")[0], form)

    def _not_modified(self, tag: str, last_modified: float) -> bool:
        """RFC 9110 13.1.2/13.1.3: If-None-Match (weak comparison) wins over If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {_opaque(t) for t in if_none_match.split(",")}
            return "*" in tags or _opaque(tag) in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return email.utils.parsedate_to_datetime(since).timestamp() >= last_modified
            except (TypeError, ValueError, IndexError):
                return False
        return False

    def _gzip_wanted(self, headers: dict[str, str], body: bytes) -> bool:
        """Whether the answer goes gzip-encoded; sets ``Vary`` on a gzip site's text answers."""
        ctype = headers.get("Content-Type", "").split(";", 1)[0].strip()
        if not self.state.site.gzip or not (ctype.startswith("text/") or ctype.endswith(("/xml", "+xml"))):
            return False
        headers["Vary"] = "Accept-Encoding"
        return "gzip" in (self.headers.get("Accept-Encoding") or "").lower() and len(body) >= 256

    def _stream_large(self, method: str, size: int) -> None:
        """An attachment of ``size`` bytes, sent in chunks until the client gives up."""
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if method == "HEAD":
            self._log(method, 200)
            return
        chunk = b"PK\x03\x04" + b"\0" * (_CHUNK - 4)
        sent = 0
        try:
            while sent < size:
                part = chunk[: min(_CHUNK, size - sent)]
                self.wfile.write(part)
                sent += len(part)
                chunk = b"\0" * _CHUNK
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
        self._log(method, 200, sent)

    def _send(self, method: str, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        sent = 0
        if method != "HEAD" and status != 304:
            try:
                self.wfile.write(body)
                sent = len(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
        self._log(method, status, sent)

    def _log(self, method: str, status: int, size: int = 0) -> None:
        origin = self.state.origin
        host = self.headers.get("Host") if self.state.site.hostnames else None
        if host:
            origin = f"{self.state.site.scheme}://{host}"
        self.state.log.append((method, origin + self.path, status), size)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up or refusing our certificate are expected; anything else is printed."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class SiteServer:
    """Serves one :class:`SiteModel` on 127.0.0.1:``port`` (0 = a free port) in a thread."""

    def __init__(self, site: SiteModel, *, port: int, seed: int, log: RequestLog,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.state = SiteState(site, seed=seed, log=log)
        self._port = port
        self._ssl_context = ssl_context
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """scheme://127.0.0.1:PORT of the running server."""
        if self._httpd is None:
            raise RuntimeError("the site is not running; call start() first")
        name = self.state.site.hostnames[0] if self.state.site.hostnames else "127.0.0.1"
        return f"{self.state.site.scheme}://{name}:{self._httpd.server_address[1]}"

    def start(self) -> None:
        """Bind the port and serve in a daemon thread."""
        handler = type(f"Handler_{self.state.site.name}", (_Handler,), {"state": self.state})
        httpd = _Server(("127.0.0.1", self._port), handler)
        if self._ssl_context is not None:
            httpd.socket = self._ssl_context.wrap_socket(
                httpd.socket, server_side=True, do_handshake_on_connect=False)
        self._httpd = httpd
        self.state.bind(self.base_url)
        self._thread = threading.Thread(target=httpd.serve_forever, args=(0.1,),
                                        name=f"portal-{self.state.site.name}",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
