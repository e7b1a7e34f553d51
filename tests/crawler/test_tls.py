"""The TLS context factory: the extra CA file is trusted, and parsed once per crawl."""

from __future__ import annotations

from pathlib import Path

from crawler.fetch.tls import PerHostContextFactory
from crawler.testbed.sample_portal.tls_cert import write_self_signed


def test_trust_store_is_parsed_once_and_holds_the_ca_file(tmp_path: Path) -> None:
    cert_path, _ = write_self_signed(tmp_path)
    factory = PerHostContextFactory(ca_file=str(cert_path))
    first = factory._trust_root()
    factory.creatorForNetloc(b"127.0.0.1", 443)
    factory.creatorForNetloc(b"localhost", 8443)
    assert factory._trust_root() is first  # not re-read for each new connection
    pem = cert_path.read_bytes()
    from OpenSSL import crypto

    ours = crypto.load_certificate(crypto.FILETYPE_PEM, pem).digest("sha256")
    trusted = {cert.digest("sha256") for cert in first._caCerts}
    assert ours in trusted
    assert len(trusted) > 1  # the system store (certifi) as well


def test_without_ca_file_the_platform_store_is_used() -> None:
    factory = PerHostContextFactory()
    assert factory._trust_root() is not None
    assert factory._authorities is None
