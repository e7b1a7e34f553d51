"""The running sample portal: every site on its own port, plus the ground truth of its reports."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from types import TracebackType

from crawler.testbed.sample_portal.build import build_portal
from crawler.testbed.sample_portal.changes import AppliedChange, Change
from crawler.testbed.sample_portal.editor import Clock, apply_changes, install
from crawler.testbed.sample_portal.model import ExpectedReport, PortalModel, site_url
from crawler.testbed.sample_portal.server import RequestLog, SiteServer
from crawler.testbed.sample_portal.tls_cert import server_context, write_self_signed


class SamplePortal:
    """Simulated agency sites on 127.0.0.1; site ``i`` listens on ``base_port + i`` (0: free ports).

    Use as a context manager, or call :meth:`start` and :meth:`stop`. :meth:`apply` changes
    the running portal between crawls.
    """

    def __init__(self, seed: int = 0, scale: int = 1, base_port: int = 0,
                 slow_seconds: float = 3.0) -> None:
        self.model: PortalModel = build_portal(seed, scale, slow_seconds=slow_seconds)
        self.base_port = base_port
        self.request_log = RequestLog()
        self._servers: dict[str, SiteServer] = {}
        self._tmp: Path | None = None
        self._apply_lock = threading.Lock()
        self._clock = Clock()
        self._applied: list[AppliedChange] = []

    @property
    def certificate_path(self) -> Path:
        """PEM of the HTTPS site's self-signed certificate (exists while the portal runs)."""
        if self._tmp is None:
            raise RuntimeError("the portal is not running; call start() first")
        return self._tmp / "cert.pem"

    def start(self) -> SamplePortal:
        """Start every site; returns self."""
        if self._servers:
            return self
        self._tmp = Path(tempfile.mkdtemp(prefix="govreports-portal-"))
        context = server_context(*write_self_signed(self._tmp))
        try:
            for i, site in enumerate(self.model.sites):
                port = self.base_port + i if self.base_port else 0
                server = SiteServer(site, port=port, seed=self.model.seed, log=self.request_log,
                                    ssl_context=context if site.scheme == "https" else None)
                server.start()
                self._servers[site.name] = server
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every site and delete the certificate."""
        for server in self._servers.values():
            server.stop()
        self._servers.clear()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> SamplePortal:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def sites(self) -> dict[str, str]:
        """Site name -> base URL (scheme://127.0.0.1:PORT)."""
        if not self._servers:
            raise RuntimeError("the portal is not running; call start() first")
        return {name: server.base_url for name, server in self._servers.items()}

    @property
    def resolve(self) -> list[str]:
        """``HOST:127.0.0.1`` for every host name the portal serves or links to (``--resolve``)."""
        names = [n for site in self.model.sites for n in (*site.hostnames, *site.outside_hostnames)]
        return [f"{name}:127.0.0.1" for name in dict.fromkeys(names)]

    def resolve_args(self) -> list[str]:
        """The ``--resolve`` options a crawl of the portal needs."""
        return [arg for spec in self.resolve for arg in ("--resolve", spec)]

    @property
    def seed_urls(self) -> list[str]:
        """The home page of each site."""
        return [base + "/" for base in self.sites.values()]

    def apply(self, *changes: Change) -> list[AppliedChange]:
        """Change the running portal in place (same ports and URLs), one record per change.

        All changes of one call appear at once: each site's resources are swapped atomically,
        so requests in flight see the portal before or after, never half of it. Changes
        accumulate over calls. A change that fits no report raises ``ValueError`` and nothing
        of the call is applied.
        """
        bases = self.sites
        with self._apply_lock:
            applied, sites = apply_changes(self.model, changes, bases=bases,
                                           ordinal=len(self._applied), clock=self._clock)
            for new in sites:
                install(self.model.site(new.name), new)
                self._servers[new.name].state.load(new.resources)
            self._applied.extend(applied)
        return applied

    @property
    def applied(self) -> list[AppliedChange]:
        """Every change applied so far, in order."""
        with self._apply_lock:
            return list(self._applied)

    def shapes(self) -> dict[str, list[tuple[str, int]]]:
        """Expected reports by shape (``site: form``, e.g. ``subdomain: pdf-agencyless``)."""
        found: dict[str, list[tuple[str, int]]] = {}
        for site in self.model.sites:
            for placed in site.reports:
                if placed.excluded is None:
                    found.setdefault(f"{site.name}: {placed.form}", []).append(
                        (placed.report.agency, placed.report.year))
        return found

    def expected_reports(self) -> list[ExpectedReport]:
        """Every report a complete, polite crawl must find now, with the URLs whose bytes are it."""
        return [report for report, excluded in self._placed() if excluded is None]

    def excluded_reports(self) -> list[tuple[ExpectedReport, str]]:
        """Reports that are on the portal but must NOT be found, with the reason (including
        reports taken off their list by ``UnlistReport``; removed ones are not on the portal)."""
        return [(report, excluded) for report, excluded in self._placed() if excluded is not None]

    def _placed(self) -> list[tuple[ExpectedReport, str | None]]:
        """Every report on the portal, in absolute URLs, with why it must not be found (or None)."""
        bases = self.sites
        return [
            (ExpectedReport(p.report.agency, p.report.year, p.report.title, p.report.template,
                            tuple(site_url(bases[s.name], path) for path in p.paths), p.report),
             p.excluded)
            for s in self.model.sites for p in s.reports
        ]
