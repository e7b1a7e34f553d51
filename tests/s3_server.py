"""A real S3-compatible HTTP endpoint on 127.0.0.1 for tests: moto's server, one bucket.

moto (a test dependency) answers the S3 REST API over HTTP like MinIO or AWS would, so the
archive code talks to it through boto3 exactly as in production. Under ``CI=true`` a missing
moto fails the test; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pytest

#: Credentials moto accepts (any); set for boto3 in this process and in crawl subprocesses.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "govreports-test", "AWS_SECRET_ACCESS_KEY": "govreports-test",
               "AWS_DEFAULT_REGION": "us-east-1"}


@dataclass
class S3Server:
    """A running endpoint and its bucket."""

    endpoint_url: str
    bucket: str
    client: Any

    def env(self, workdir: str) -> dict[str, str]:
        """Environment for a ``govreports`` subprocess using this server."""
        return {**CREDENTIALS, "GOVREPORTS_S3_ENDPOINT_URL": self.endpoint_url,
                "GOVREPORTS_ARCHIVE_WORKDIR": workdir,
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}

    def keys(self, prefix: str = "") -> list[str]:
        """Every key in the bucket under ``prefix``."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                       Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def get(self, key: str) -> bytes:
        """An object's bytes."""
        return bytes(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """Start moto's S3 server on a free port of 127.0.0.1 with one fresh bucket."""
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"moto[server] and boto3 are needed for the S3 tests: {exc}")
        pytest.skip(f"moto[server] and boto3 are not installed: {exc}")
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = boto3.client("s3", endpoint_url=endpoint)
        bucket = f"govreports-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=bucket)
        yield S3Server(endpoint, bucket, client)
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class DelayingProxy:
    """A TCP proxy in front of the S3 server that holds the first ``count`` requests whose
    request line contains ``match`` for ``delay`` seconds before passing them on."""

    url: str
    delay: float
    #: (time.time() when each held request arrived, when it was passed on).
    held: list[tuple[float, float]]


@contextmanager
def delaying_proxy(endpoint_url: str, *, match: bytes, delay: float,
                   count: int = 1) -> Iterator[DelayingProxy]:
    """Start a :class:`DelayingProxy` on a free port of 127.0.0.1 (real sockets, one thread per
    direction of each connection)."""
    import socket
    import socketserver
    import threading
    import time
    from urllib.parse import urlsplit

    upstream = urlsplit(endpoint_url)
    held: list[tuple[float, float]] = []
    lock = threading.Lock()

    def pump(source: socket.socket, target: socket.socket, *, requests: bool) -> None:
        try:
            while chunk := source.recv(65536):
                line = chunk.split(b"\r\n", 1)[0]
                if requests and match in line and line.split(b" ", 1)[0] in (b"PUT", b"POST"):
                    with lock:
                        hold = len(held) < count
                        if hold:
                            held.append((time.time(), 0.0))
                    if hold:
                        time.sleep(delay)
                        with lock:
                            held[-1] = (held[-1][0], time.time())
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            server_side = socket.create_connection((upstream.hostname, upstream.port))
            back = threading.Thread(target=pump, args=(server_side, self.request),
                                    kwargs={"requests": False}, daemon=True)
            back.start()
            pump(self.request, server_side, requests=True)
            back.join()
            server_side.close()

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield DelayingProxy(f"http://127.0.0.1:{server.server_address[1]}", delay, held)
    finally:
        server.shutdown()
        server.server_close()
