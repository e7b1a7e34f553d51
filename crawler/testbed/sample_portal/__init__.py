"""A local sample portal: simulated government sites (TRS, Hanweb, plain, HTTPS) and their reports.

``SamplePortal`` serves them on 127.0.0.1; ``expected_reports()`` is the ground truth a crawl
of its ``seed_urls`` must find. ``build_portal`` gives the in-memory model without serving it.
``SamplePortal.apply`` changes the running portal between crawls (see ``changes``).

The names below are imported on first use: ``govreports`` loads this package for its
``sample-portal`` command, and building sites pulls in the PDF and Word generators.
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
