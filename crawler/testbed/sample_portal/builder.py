"""Adds resources to a :class:`SiteModel`: HTML in a chosen encoding, files, redirects, errors."""

from __future__ import annotations

import calendar
import datetime

from crawler.testbed.sample_portal.model import Behaviour, Resource, SiteModel

#: Every report, notice and news item is dated; static files are "modified" on that day.
EPOCH_FALLBACK = datetime.date(2024, 1, 1)
#: "Modified" day of pages built without a date of their own (lists, home pages, notices).
BUILT_ON = datetime.date(2025, 7, 1)


def epoch(day: datetime.date) -> float:
    """Seconds since the epoch at 09:00 UTC on ``day`` (a deterministic modification time)."""
    return float(calendar.timegm((day.year, day.month, day.day, 9, 0, 0)))


class SiteBuilder:
    """Writes resources into one site; ``encoding`` is the site's page encoding (utf-8 or gbk)."""

    def __init__(self, site: SiteModel, *, encoding: str = "utf-8") -> None:
        self.site = site
        self.encoding = encoding

    def html(
        self,
        path: str,
        text: str,
        *,
        header_charset: str | None = "site",
        encoding: str | None = None,
        status: int = 200,
        behaviour: Behaviour = "static",
        delay: float = 0.0,
        amount: int = 0,
        modified: datetime.date | None = None,
    ) -> None:
        """Store an HTML page; ``header_charset=None`` sends ``Content-Type: text/html`` bare.

        A plain 200 page is ``cacheable`` (ETag, Last-Modified = ``modified`` or :data:`BUILT_ON`),
        as a static-file web server would serve it.
        """
        codec = encoding or self.encoding
        if header_charset == "site":
            header_charset = "GBK" if codec == "gbk" else codec
        ctype = "text/html" if header_charset is None else f"text/html; charset={header_charset}"
        body = text.encode(codec, errors="xmlcharrefreplace")
        last_modified = 0.0
        if status == 200 and behaviour == "static":
            behaviour = "cacheable"
            last_modified = epoch(modified or BUILT_ON)
        self.add(path, Resource(body, status, (("Content-Type", ctype),), delay, behaviour,
                                last_modified=last_modified, amount=amount))

    def file(self, path: str, body: bytes, content_type: str, *, modified: datetime.date) -> None:
        """Store a static file (attachment, stylesheet) with ETag and Last-Modified support."""
        self.add(
            path,
            Resource(body, 200, (("Content-Type", content_type),), behaviour="cacheable",
                     last_modified=epoch(modified)),
        )

    def redirect(self, path: str, location: str, status: int = 301) -> None:
        """Store a redirect to ``location`` (a path or URL)."""
        body = f'<html><body>Moved: <a href="{location}">{location}</a></body></html>'.encode()
        headers = (("Location", location), ("Content-Type", "text/html; charset=utf-8"))
        self.add(path, Resource(body, status, headers))

    def error(self, path: str, status: int, text: str, *, behaviour: Behaviour = "static") -> None:
        """Store an error answer (404 page, 500, challenge) as UTF-8 HTML."""
        self.html(path, text, header_charset="utf-8", encoding="utf-8", status=status,
                  behaviour=behaviour)

    def remove(self, path: str) -> None:
        """Forget ``path`` if stored (the server then answers 404)."""
        self.site.resources.pop(path, None)

    def add(self, path: str, resource: Resource) -> None:
        """Store ``resource`` at ``path``; a path is never written twice."""
        if path in self.site.resources:
            raise ValueError(f"{self.site.name}: {path} already exists")
        self.site.resources[path] = resource
