"""A local sample portal: simulated government sites (TRS, Hanweb, plain, HTTPS) and their reports.

``SamplePortal`` serves them on 127.0.0.1; ``expected_reports()`` is the ground truth a crawl
of its ``seed_urls`` must find. ``build_portal`` gives the in-memory model without serving it.
"""

from __future__ import annotations

from crawler.sample_portal.build import BENCHMARK_SCALE, build_portal
from crawler.sample_portal.model import ExpectedReport, PortalModel, Resource, SiteModel
from crawler.sample_portal.portal import SamplePortal
from crawler.sample_portal.server import RequestLog

__all__ = [
    "BENCHMARK_SCALE",
    "ExpectedReport",
    "PortalModel",
    "RequestLog",
    "Resource",
    "SamplePortal",
    "SiteModel",
    "build_portal",
]
