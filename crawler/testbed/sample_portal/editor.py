"""Applies :mod:`~crawler.testbed.sample_portal.changes` to a built portal model.

Every change edits a draft copy of one site; :func:`settle` then keeps the very same
``Resource`` object for every path whose answer did not change (same bytes, ETag and
Last-Modified) and stamps the changed ones with a Last-Modified later than anything served
before. Nothing is installed until every change of a call succeeded. No build-time random
generator is run again: new names and numbers come from generators seeded by the portal seed
and the change's ordinal.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from crawler.testbed.reportgen import GeneratedReport, random_report
from crawler.testbed.sample_portal.builder import SiteBuilder
from crawler.testbed.sample_portal.changes import (
    AddReport,
    AppliedChange,
    Change,
    RemoveReport,
    ReplacePdf,
    RepostReport,
    UnlistReport,
)
from crawler.testbed.sample_portal.documents import render_attachment
from crawler.testbed.sample_portal.layouts import layout_for
from crawler.testbed.sample_portal.model import UNLISTED, PlacedReport, PortalModel, SiteModel
from crawler.testbed.sample_portal.revise import revised_report

#: An edit of a draft site: (the report before, the report after), None where it does not exist.
Edit = Callable[[SiteModel, random.Random], tuple[PlacedReport | None, PlacedReport | None]]
GONE_PAGE = ("<html><head><meta charset=\"utf-8\"><title>410</title></head>"
             "<body><h1>410 Gone</h1><p>该信息已撤销。</p></body></html>")


class Clock:
    """Last-Modified stamps: whole seconds, never earlier than now, strictly increasing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next(self) -> int:
        """A stamp later than every stamp given before."""
        with self._lock:
            self._last = max(int(time.time()), self._last + 1)
            return self._last

    def saw(self, stamp: int) -> None:
        """Remember that ``stamp`` was handed out (the next one comes after it)."""
        with self._lock:
            self._last = max(self._last, stamp)


def apply_changes(model: PortalModel, changes: Sequence[Change], *, bases: Mapping[str, str],
                  ordinal: int, clock: Clock) -> tuple[list[AppliedChange], list[SiteModel]]:
    """Apply ``changes`` in order; (what each did, the new state of every changed site).

    ``model`` itself is not modified: install the returned sites with :func:`install`.
    ``ordinal`` numbers the first change among all changes ever applied to the portal.
    """
    working = {site.name: site for site in model.sites}
    changed: dict[str, SiteModel] = {}
    applied: list[AppliedChange] = []
    for n, change in enumerate(changes):
        rng = random.Random(f"sample-portal:{model.seed}:change:{ordinal + n}")
        sites = list(working.values())
        name, edit = _plan(sites, change, model)
        before = working[name]
        draft = _draft(before)
        out_before, out_after = edit(draft, rng)
        stamp = clock.next()
        touched = settle(before, draft, stamp, clock)
        working[name] = changed[name] = draft
        applied.append(_record(change, name, out_before, out_after, touched, bases[name], stamp))
    return applied, list(changed.values())


def install(site: SiteModel, new: SiteModel) -> None:
    """Make ``site`` (the object servers hold) take the state of ``new``, field by field."""
    site.reports = new.reports
    site.listings = new.listings
    site.jpage_columns = new.jpage_columns
    site.resources = new.resources


def settle(before: SiteModel, after: SiteModel, stamp: int, clock: Clock) -> list[str]:
    """Keep unchanged resources as they were, stamp changed ones; the paths whose answer changed."""
    touched: list[str] = []
    for path, res in after.resources.items():
        old = before.resources.get(path)
        if old is res:
            continue
        if old is not None and dataclasses.replace(res, last_modified=old.last_modified) == old:
            after.resources[path] = old
            continue
        touched.append(path)
        if res.behaviour == "cacheable":
            moved = stamp if old is None else max(stamp, int(old.last_modified) + 1)
            clock.saw(moved)
            after.resources[path] = dataclasses.replace(res, last_modified=float(moved))
    touched += [path for path in before.resources if path not in after.resources]
    if before.jpage_columns != after.jpage_columns:
        touched += [p for p, r in after.resources.items() if r.behaviour == "jpage"]
    return sorted(set(touched))


def _plan(sites: list[SiteModel], change: Change, model: PortalModel) -> tuple[str, Edit]:
    """(site name, the edit to run on a draft of that site) for ``change``."""
    if isinstance(change, AddReport):
        return _plan_add(sites, change, model)
    if isinstance(change, ReplacePdf):
        site, index = _find(sites, change.agency, change.year, change.site, _has_pdf_only,
                            "have its PDF replaced (a listed report with a PDF and no inline copy)")
        return site.name, lambda draft, rng: _replace_pdf(draft, index, rng)
    if isinstance(change, RemoveReport):
        site, index = _find(sites, change.agency, change.year, change.site,
                            lambda p: p.excluded in (None, UNLISTED), "be removed")
        return site.name, lambda draft, rng: _remove(draft, index, change.status)
    if isinstance(change, UnlistReport):
        site, index = _find(sites, change.agency, change.year, change.site,
                            lambda p: p.excluded is None, "be unlisted (a listed report)")
        return site.name, lambda draft, rng: _unlist(draft, index)
    if isinstance(change, RepostReport):
        site, index = _find(sites, change.agency, change.year, change.site,
                            lambda p: p.excluded is None, "be reposted (a listed report)")
        return site.name, lambda draft, rng: _repost(draft, index, rng)
    raise TypeError(f"not a sample portal change: {change!r}")


def _plan_add(sites: list[SiteModel], change: AddReport, model: PortalModel) -> tuple[str, Edit]:
    taken = {(p.report.agency, p.report.year) for s in sites for p in s.reports}
    year = change.year if change.year is not None else model.newest_year + 1
    if change.site is not None:
        candidates = [s for s in sites if s.name == change.site]
        if not candidates:
            raise ValueError(f"no site {change.site!r}; sites: {', '.join(s.name for s in sites)}")
    elif change.agency is not None:
        candidates = [s for s in sites if change.agency in s.agencies][:1] or sites[:1]
    else:
        candidates = sites
    for site in candidates:
        agencies = [change.agency] if change.agency is not None else site.agencies
        agency = next((a for a in agencies if (a, year) not in taken), None)
        if agency is not None:
            layout = layout_for(site)
            form = change.form or layout.forms[0]
            if form not in layout.forms:
                raise ValueError(f"site {site.name!r} publishes forms {layout.forms}, not {form!r}")
            rng = random.Random(f"sample-portal:{model.seed}:report:{agency}:{year}")
            report = random_report(rng, agency=agency, year=year, blank_probability=0.1)
            return site.name, functools.partial(_add, report=report, form=form)
    who = change.agency or "any agency of " + ", ".join(s.name for s in candidates)
    raise ValueError(f"{who} already has a report for {year}")


def _find(sites: list[SiteModel], agency: str | None, year: int | None, site_name: str | None,
          eligible: Callable[[PlacedReport], bool], what: str) -> tuple[SiteModel, int]:
    """The first report of the portal matching the selectors that is ``eligible``."""
    for site in sites:
        if site_name not in (None, site.name):
            continue
        for index, placed in enumerate(site.reports):
            r = placed.report
            if (agency in (None, r.agency) and year in (None, r.year)) and eligible(placed):
                return site, index
    wanted = ", ".join(f"{k}={v}" for k, v in (("agency", agency), ("year", year),
                                                ("site", site_name)) if v is not None)
    raise ValueError(f"no report ({wanted or 'any'}) that can {what}")


def _has_pdf_only(placed: PlacedReport) -> bool:
    return (placed.excluded in (None, UNLISTED) and any(p.endswith(".pdf") for p in placed.paths)
            and not any(p.endswith(".html") for p in placed.paths))


def _draft(site: SiteModel) -> SiteModel:
    """A copy of ``site`` whose resources, lists and reports can be edited freely."""
    return dataclasses.replace(
        site, resources=dict(site.resources), reports=list(site.reports),
        jpage_columns={k: list(v) for k, v in site.jpage_columns.items()},
        listings={k: list(v) for k, v in site.listings.items()}, agencies=list(site.agencies))


def _add(draft: SiteModel, rng: random.Random, *, report: GeneratedReport,
         form: str) -> tuple[None, PlacedReport]:
    layout = layout_for(draft)
    placed = layout.publish(draft, report, form, rng)
    layout.relist(draft)
    return None, placed


def _replace_pdf(draft: SiteModel, index: int,
                 rng: random.Random) -> tuple[PlacedReport, PlacedReport]:
    placed = draft.reports[index]
    report = revised_report(placed.report, rng)
    body = render_attachment(report, "pdf").body
    for path in placed.paths:
        draft.resources[path] = dataclasses.replace(draft.resources[path], body=body)
    draft.reports[index] = dataclasses.replace(placed, report=report)
    return placed, draft.reports[index]


def _remove(draft: SiteModel, index: int, status: int) -> tuple[PlacedReport, None]:
    layout = layout_for(draft)
    placed = draft.reports.pop(index)
    layout.unlist(draft, placed.pages)
    b = SiteBuilder(draft)
    for path in placed.served():
        b.remove(path)
        if status != 404:
            b.error(path, status, GONE_PAGE)
    layout.relist(draft)
    return placed, None


def _unlist(draft: SiteModel, index: int) -> tuple[PlacedReport, PlacedReport]:
    layout = layout_for(draft)
    placed = draft.reports[index]
    draft.reports[index] = dataclasses.replace(placed, excluded=UNLISTED)
    layout.unlist(draft, placed.pages)
    layout.relist(draft)
    return placed, draft.reports[index]


def _repost(draft: SiteModel, index: int,
            rng: random.Random) -> tuple[PlacedReport, PlacedReport]:
    layout = layout_for(draft)
    old = draft.reports[index]
    new = layout.publish(draft, old.report, old.form, rng)  # appended: the old URLs still exist
    draft.reports.pop()
    draft.reports[index] = new
    layout.unlist(draft, old.pages)
    b = SiteBuilder(draft)
    for path in set(old.served()) - set(new.served()):
        b.remove(path)
    layout.relist(draft)
    return old, new


def _record(change: Change, site: str, before: PlacedReport | None, after: PlacedReport | None,
            touched: Sequence[str], base: str, stamp: int) -> AppliedChange:
    """What ``change`` did on ``site`` (served at ``base``), in absolute URLs."""
    def urls(paths: Sequence[str]) -> tuple[str, ...]:
        return tuple(base + p for p in paths)

    placed = after or before
    assert placed is not None
    return AppliedChange(
        change=change, site=site, agency=placed.report.agency, year=placed.report.year,
        old_urls=urls(before.served()) if before else (),
        new_urls=urls(after.served()) if after else (),
        old_documents=urls(before.paths) if before else (),
        new_documents=urls(after.paths) if after else (),
        touched_urls=urls(touched), at=float(stamp), report=placed.report,
        previous=before.report if isinstance(change, ReplacePdf) and before else None,
    )
