"""A local sample portal: simulated government sites (TRS, Hanweb, plain, HTTPS) and their reports.

``SamplePortal`` serves them on 127.0.0.1; ``expected_reports()`` is the ground truth a crawl
of its ``seed_urls`` must find. ``build_portal`` gives the in-memory model without serving it.
``SamplePortal.apply`` changes the running portal between crawls (see ``changes``).
"""

from __future__ import annotations

from crawler.sample_portal.build import BENCHMARK_SCALE, build_portal
from crawler.sample_portal.changes import (
    AddReport,
    AppliedChange,
    Change,
    RemoveReport,
    ReplacePdf,
    RepostReport,
    UnlistReport,
)
from crawler.sample_portal.model import ExpectedReport, PortalModel, Resource, SiteModel
from crawler.sample_portal.portal import SamplePortal
from crawler.sample_portal.server import LoggedRequest, RequestLog

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
