"""The in-memory model of the sample portal: sites, their resources, and the reports placed on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from crawler.testbed.reportgen import GeneratedReport
from crawler.testbed.sample_portal.pages import Link

#: How the server answers a resource (besides returning its body).
Behaviour = Literal[
    "static",  # body as stored (redirects, error pages)
    "cacheable",  # body with ETag / Last-Modified, answers 304 to a matching conditional GET
    # (every stored 200 page and file)
    "transient",  # 500 for the first ``fail_times`` requests of the path, then the body
    "calendar",  # an event calendar whose ?month= links go on forever
    "session",  # a page whose links carry a session id that changes on every view
    "jpage",  # the Hanweb jpage data proxy (POST only)
    "large",  # an attachment far over any sane size limit, streamed
    "throttled",  # 429 with Retry-After: 1 for the first ``amount`` requests of the URL, then the body
]


@dataclass(frozen=True)
class Resource:
    """One answer of a site: status, headers, body and how long to wait before sending it."""

    body: bytes = b""
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    behaviour: Behaviour = "static"
    #: Whole seconds since the epoch for Last-Modified (``cacheable`` only).
    last_modified: float = 0.0
    #: ``transient``: failures before success; ``large``: size in bytes.
    amount: int = 0

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive), if any."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class PlacedReport:
    """A generated report, where it is served, and whether a polite crawler can reach it."""

    report: GeneratedReport
    #: Site paths whose bytes are the report (inline HTML page and/or attachments).
    paths: list[str]
    #: Why a crawler must not find it (None when it belongs in the expected set).
    excluded: str | None = None
    #: How it is presented, for humans reading the manifest (e.g. "inline+pdf").
    form: str = ""
    #: Detail pages that present it (listed in the site's report lists), whether or not
    #: their bytes are the report.
    pages: list[str] = field(default_factory=list)
    #: Redirects leading to its attachments (Hanweb ``downfile.jsp`` links).
    redirects: list[str] = field(default_factory=list)

    def served(self) -> list[str]:
        """Every path that belongs to the report: pages, documents, redirects (no duplicates)."""
        return list(dict.fromkeys([*self.pages, *self.paths, *self.redirects]))


#: Replaced in stored bodies by the site's scheme://host:port when the server starts.
ORIGIN = "__ORIGIN__"
#: Replaced in stored bodies by the site's port (for links to its other host names).
PORT = "__PORT__"


def site_url(base: str, path: str) -> str:
    """The absolute URL of a stored ``path`` on a site whose seed is ``base``
    (``//name/path`` is on another host name of the same site, same scheme and port)."""
    if not path.startswith("//"):
        return base + path
    scheme, _, rest = base.partition("://")
    port = rest.rsplit(":", 1)[1] if ":" in rest else ""
    name, _, tail = path[2:].partition("/")
    return f"{scheme}://{name}{':' + port if port else ''}/{tail}"

#: ``PlacedReport.excluded`` of a report taken off its list but still served.
UNLISTED = "unlisted: still served, but no longer linked from any list"


@dataclass
class SiteModel:
    """One simulated agency site, served on its own port."""

    name: str
    title: str
    scheme: Literal["http", "https"] = "http"
    #: Compress text responses when the client accepts gzip.
    gzip: bool = False
    resources: dict[str, Resource] = field(default_factory=dict)
    #: Hanweb jpage columns: columnid -> record snippets, newest first.
    jpage_columns: dict[str, list[str]] = field(default_factory=dict)
    reports: list[PlacedReport] = field(default_factory=list)
    #: Agencies whose reports the site carries (its own first).
    agencies: list[str] = field(default_factory=list)
    #: Report lists rendered from entries (newest first): list folder -> entries.
    listings: dict[str, list[Link]] = field(default_factory=dict)
    #: Host names served by name on the site's port (virtual hosts; the first is the seed's).
    #: Resources of the other names are stored under ``//name/path``. Empty: 127.0.0.1.
    hostnames: tuple[str, ...] = ()
    #: Names linked from the site but outside its registered domain (resolved to 127.0.0.1
    #: too, so a crawler that wrongly follows them is seen in the request log).
    outside_hostnames: tuple[str, ...] = ()
    #: Unknown paths answer 200 with this page (a soft-404 site) instead of a 404.
    soft_404_body: bytes | None = None

    def page_count(self) -> int:
        """Distinct stored resources (the endless calendar and session views not counted)."""
        return len(self.resources)


@dataclass
class PortalModel:
    """All sites of a sample portal, built deterministically from ``seed`` and ``scale``."""

    seed: int
    scale: int
    sites: list[SiteModel]
    #: The newest report year when built (``AddReport`` publishes the year after by default).
    newest_year: int = 0

    def page_count(self) -> int:
        """Distinct stored resources over all sites."""
        return sum(site.page_count() for site in self.sites)

    def site(self, name: str) -> SiteModel:
        """The site called ``name``."""
        for site in self.sites:
            if site.name == name:
                return site
        raise KeyError(name)


@dataclass(frozen=True)
class ExpectedReport:
    """A report a complete, polite crawl of the portal must find, with every URL carrying it."""

    agency: str
    year: int
    title: str
    template: str
    urls: tuple[str, ...]
    report: GeneratedReport
