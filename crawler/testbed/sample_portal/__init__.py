"""A local sample portal: simulated government sites (TRS, Hanweb, plain, HTTPS) and their reports.

``SamplePortal`` serves them on 127.0.0.1; ``expected_reports()`` is the ground truth a crawl
of its ``seed_urls`` must find. ``build_portal`` gives the in-memory model without serving it.
``SamplePortal.apply`` changes the running portal between crawls (see ``changes``).

The names below are imported on first use: ``govreports`` loads this package for its
``sample-portal`` command, and building sites pulls in the PDF and Word generators.

Modules:

* ``build``: Builds the whole sample portal model, deterministically from a seed.
* ``builder``: Adds resources to a :class:`SiteModel`: HTML in a chosen encoding, files, redirects,
  errors.
* ``changes``: Changes to a running sample portal between crawls, and what each one did.
* ``detail``: A report's detail page (inline, or with a PDF attachment), shared by the newer sites.
* ``documents``: Attachment bytes for a generated report: PDF, DOCX and DOC, from
  ``crawler.testbed.reportgen``.
* ``dynamic``: Bodies built per request: the endless calendar and the Hanweb jpage data proxy
  answer.
* ``editor``: Applies :mod:`~crawler.testbed.sample_portal.changes` to a built portal model.
* ``hanweb``: The Hanweb (大汉) style site: column lists served only by the jpage data proxy, art_
  pages.
* ``jsoncms``: A JSON-list CMS: column pages filled by scripts from data APIs (JSON behind 429, JSONP,
  a list only a browser sees).
* ``layouts``: How each kind of site is changed after it is built: publish a report, take it off,
  relist.
* ``model``: The in-memory model of the sample portal: sites, their resources, and the reports
  placed on them.
* ``noise``: Pages that are not reports: news, services, notices about reports, error and trap
  pages.
* ``pages``: HTML page chrome shared by the simulated sites: head, navigation, lists, footers.
* ``paged``: A site whose columns page in real portals' spellings, and a report only its search finds.
* ``plain``: A plain UTF-8 site with ``sitemap.xml``, ``?sid=`` session links and most of the noise.
* ``portal``: The running sample portal: every site on its own port, plus the ground truth of its
  reports.
* ``revise``: A corrected edition of a report: a few numbers changed, the official checks still
  holding.
* ``secure``: The HTTPS site: one report behind a self-signed certificate, to test verification.
* ``server``: One site of the portal on its own ``ThreadingHTTPServer`` (optionally TLS) in a
  thread.
* ``tls_cert``: A throw-away self-signed certificate for 127.0.0.1, generated when the portal
  starts.
* ``trs``: The TRS WCM style site: GBK pages, ``createPageHTML`` paging, tYYYYMMDD_N detail pages.
* ``subdomain``: A county portal whose 信息公开 platform is on another subdomain, with the hard identity cases.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.testbed.sample_portal.build import BENCHMARK_SCALE, build_portal
    from crawler.testbed.sample_portal.changes import (
        AddReport,
        AppliedChange,
        Change,
        RemoveReport,
        ReplacePdf,
        RepostReport,
        UnlistReport,
    )
    from crawler.testbed.sample_portal.model import ExpectedReport, PortalModel, Resource, SiteModel
    from crawler.testbed.sample_portal.portal import SamplePortal
    from crawler.testbed.sample_portal.server import LoggedRequest, RequestLog

#: Exported name -> the submodule defining it.
_HOMES = {
    "BENCHMARK_SCALE": "build", "build_portal": "build",
    "AddReport": "changes", "AppliedChange": "changes", "Change": "changes",
    "RemoveReport": "changes", "ReplacePdf": "changes", "RepostReport": "changes",
    "UnlistReport": "changes",
    "ExpectedReport": "model", "PortalModel": "model", "Resource": "model", "SiteModel": "model",
    "SamplePortal": "portal",
    "LoggedRequest": "server", "RequestLog": "server",
}

__all__ = [
    "BENCHMARK_SCALE",
    "AddReport",
    "AppliedChange",
    "Change",
    "ExpectedReport",
    "LoggedRequest",
    "PortalModel",
    "RemoveReport",
    "ReplacePdf",
    "RepostReport",
    "RequestLog",
    "Resource",
    "SamplePortal",
    "SiteModel",
    "UnlistReport",
    "build_portal",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
