"""The archive's read side: the queries its readers share (web app, exports, alerts, CLI).

**The current parse of a report** is defined once, in ``current``; every reader that shows a
report's values goes through it. **Which reports a filter selects** is defined once, in
``reports`` (:class:`storage.read.reports.ReportSelection`): the web app's lists and the exports
narrow the ``reports`` table with it.

Modules:

* ``alerts``: Alert events read back, newest first, with their deliveries (CLI, Atom feed, web app).
* ``batches``: What an exported report is assembled from, per batch: links, versions, document types,
  captures.
* ``checks``: How many checks each report has and fails, the cross-year ones included.
* ``current``: The current parse of a report: one definition for every reader; last year's cells for the cross-year checks.
* ``documents``: The archived documents that carry reports (what ``reparse`` parses again), a
  document's recorded blob path.
* ``listing``: Whether a report is still listed on its portal: since when it is unlisted (web app banner).
* ``publications``: Every report's agency, year and publication date: what on-time rates are counted from.
* ``readonly``: A read-only connection to the archive database (the web app's).
* ``reports``: Which reports a filter selects (web app lists, exports), each with its current version
  and parse; agencies' report spans; years.
* ``summaries``: Per parse result: its template and how many checks it has and fails, cached in memory.
* ``updates``: What changed since a moment: the ``updated_since`` filter of the web app's lists.
* ``versions``: A report's versions, their documents and captures, and the two records a diff
  compares (CLI and web app).
"""

from __future__ import annotations

from storage.read.current import current_parse_id, current_parses, previous_year_cells

__all__ = ["current_parse_id", "current_parses", "previous_year_cells"]
