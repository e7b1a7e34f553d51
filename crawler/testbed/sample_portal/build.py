"""Builds the whole sample portal model, deterministically from a seed."""

from __future__ import annotations

import datetime
import random

from crawler.testbed.reportgen import GeneratedReport, random_report
from crawler.testbed.reportgen.corpus import agencies as all_agencies
from crawler.testbed.sample_portal.builder import SiteBuilder
from crawler.testbed.sample_portal.hanweb import build_hanweb
from crawler.testbed.sample_portal.jsoncms import build_jsoncms
from crawler.testbed.sample_portal.model import PortalModel, SiteModel
from crawler.testbed.sample_portal.paged import build_paged
from crawler.testbed.sample_portal.plain import build_plain
from crawler.testbed.sample_portal.secure import build_secure
from crawler.testbed.sample_portal.subdomain import build_subdomain
from crawler.testbed.sample_portal.trs import build_trs

#: ``scale`` giving a portal of at least 20,000 distinct pages (for benchmarks).
BENCHMARK_SCALE = 50
_STYLESHEET = b"body{font-family:SimSun,serif;}\n.nav li{display:inline;margin:0 8px}\n"


def build_portal(seed: int = 0, scale: int = 1, *, slow_seconds: float = 3.0) -> PortalModel:
    """The sites of the portal; ``scale`` multiplies the news pages (about 400 per unit)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    rng = random.Random(seed)
    names = rng.sample(all_agencies(), 10)
    report_rng = random.Random(rng.randrange(1 << 32))

    placed: set[tuple[str, int]] = set()

    def make_report(agency: str, year: int) -> GeneratedReport:
        if (agency, year) in placed:
            raise ValueError(f"two reports of {agency} for {year}")
        placed.add((agency, year))
        return random_report(report_rng, agency=agency, year=year, blank_probability=0.1)

    sites = [
        build_trs(random.Random(rng.randrange(1 << 32)), agencies=names[0:3],
                  make_report=make_report, scale=scale, slow_seconds=slow_seconds),
        build_hanweb(random.Random(rng.randrange(1 << 32)), agencies=names[3:6],
                     make_report=make_report, scale=scale),
        build_plain(random.Random(rng.randrange(1 << 32)), agencies=names[6:9],
                    make_report=make_report, scale=scale),
        build_secure(agency=names[9], make_report=make_report),
    ]
    # the discovery sites draw their agencies apart, so the sites above stay as they were
    others = [a for a in all_agencies() if a not in names]
    extra = random.Random(f"sample-portal:{seed}:discovery-sites").sample(others, 6)
    sites += [
        build_paged(random.Random(rng.randrange(1 << 32)), agencies=extra[0:3], make_report=make_report),
        build_jsoncms(random.Random(rng.randrange(1 << 32)), agencies=extra[3:6], make_report=make_report),
    ]
    sub_rng = random.Random(rng.randrange(1 << 32))
    others = [a for a in others if a not in extra]
    government = sub_rng.choice([a for a in others if a.endswith("人民政府")])
    departments = sub_rng.sample([a for a in others if a.endswith("局")], 2)
    sites.append(build_subdomain(sub_rng, government=government, departments=departments,
                                 make_report=make_report))
    for site in sites:
        _add_stylesheet(site)
    return PortalModel(seed=seed, scale=scale, sites=sites,
                       newest_year=max(year for _, year in placed))


def _add_stylesheet(site: SiteModel) -> None:
    if "/images/common.css" not in site.resources:
        SiteBuilder(site).file("/images/common.css", _STYLESHEET, "text/css",
                               modified=datetime.date(2023, 5, 1))
