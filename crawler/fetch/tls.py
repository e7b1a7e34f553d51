"""TLS policy: certificates are verified, except for hosts the operator lists as insecure.

Settings: ``GOVREPORTS_INSECURE_HOSTS`` (hostnames, or ``host:port``) and ``GOVREPORTS_CA_FILE``
(extra PEM certificates to trust, e.g. a portal's self-signed certificate). Whether a capture
was verified is recorded with it (see :func:`tls_verified_for`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.contextfactory import _ScrapyClientContextFactory
from twisted.internet import ssl
from twisted.internet._sslverify import OpenSSLCertificateAuthorities

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def tls_verified_for(url_scheme: str, host: str, insecure_hosts: set[str]) -> bool | None:
    """Whether a fetch of ``host`` verified its certificate (None for plain HTTP)."""
    if url_scheme != "https":
        return None
    hostname = host.split(":")[0]
    return host not in insecure_hosts and hostname not in insecure_hosts


class PerHostContextFactory(_ScrapyClientContextFactory):
    """Verify certificates against the system store plus ``GOVREPORTS_CA_FILE``, per host."""

    def __init__(self, *args: Any, insecure_hosts: set[str] | None = None,
                 ca_file: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insecure_hosts = insecure_hosts or set()
        self.ca_file = ca_file
        #: The parsed trust store, built on the first verified connection and shared by the
        #: next ones (parsing certifi's bundle on every new connection cost CPU per host).
        self._authorities: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PerHostContextFactory:
        kwargs["insecure_hosts"] = set(crawler.settings.getlist("GOVREPORTS_INSECURE_HOSTS"))
        kwargs["ca_file"] = crawler.settings.get("GOVREPORTS_CA_FILE") or ""
        return super().from_crawler(crawler, *args, **kwargs)  # type: ignore[return-value]

    def _trust_root(self) -> Any:
        if not self.ca_file:
            return ssl.platformTrust()
        if self._authorities is None:
            self._authorities = self._load_authorities()
        return self._authorities

    def _load_authorities(self) -> Any:
        pem = Path(self.ca_file).read_bytes()
        certificates = [
            ssl.Certificate.loadPEM(b"-----BEGIN CERTIFICATE-----" + part).original
            for part in pem.split(b"-----BEGIN CERTIFICATE-----")[1:]
        ]
        try:
            from certifi import where  # system store as PEM, so both are trusted

            system = Path(where()).read_bytes()
            certificates += [
                ssl.Certificate.loadPEM(b"-----BEGIN CERTIFICATE-----" + part).original
                for part in system.split(b"-----BEGIN CERTIFICATE-----")[1:]
            ]
        except ImportError:  # pragma: no cover - certifi comes with scrapy's dependencies
            pass
        return OpenSSLCertificateAuthorities(certificates)

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
        host = hostname.decode("ascii")
        if host in self.insecure_hosts or f"{host}:{port}" in self.insecure_hosts:
            self._verify_certificates = False
            try:
                return super().creatorForNetloc(hostname, port)
            finally:
                self._verify_certificates = True
        return ssl.optionsForClientTLS(
            hostname=host,
            trustRoot=self._trust_root(),
            extraCertificateOptions=self._get_cert_options_kwargs(),
        )
