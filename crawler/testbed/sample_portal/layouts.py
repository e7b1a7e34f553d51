"""How each kind of site is changed after it is built: publish a report, take it off, relist."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol

from crawler.testbed.reportgen import GeneratedReport
from crawler.testbed.sample_portal.hanweb import HanwebLayout
from crawler.testbed.sample_portal.model import PlacedReport, SiteModel
from crawler.testbed.sample_portal.plain import PlainLayout
from crawler.testbed.sample_portal.secure import SecureLayout
from crawler.testbed.sample_portal.trs import TrsLayout


class SiteLayout(Protocol):
    """The site-specific part of a change; every method edits ``site`` (a draft) in place."""

    #: Forms :meth:`publish` accepts; the first is what ``AddReport`` uses by default.
    forms: tuple[str, ...]

    def publish(self, site: SiteModel, report: GeneratedReport, form: str,
                rng: random.Random) -> PlacedReport:
        """Serve ``report`` at new URLs (names drawn from ``rng``), append it to ``site.reports``
        and add it to the list entries; :meth:`relist` renders the lists."""
        ...

    def unlist(self, site: SiteModel, pages: Sequence[str]) -> None:
        """Drop the list entries linking ``pages``."""
        ...

    def relist(self, site: SiteModel) -> None:
        """Render every list resource (column pages, sitemap) again from the entries."""
        ...


_LAYOUTS: dict[str, SiteLayout] = {
    "trs": TrsLayout(),
    "hanweb": HanwebLayout(),
    "plain": PlainLayout(),
    "https": SecureLayout(),
}


def layout_for(site: SiteModel) -> SiteLayout:
    """The layout of ``site`` (by its name)."""
    try:
        return _LAYOUTS[site.name]
    except KeyError:
        raise ValueError(f"site {site.name!r} cannot be changed (no layout)") from None
