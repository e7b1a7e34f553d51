"""The archive's read side: what every reader shares (web app, exports, CLI).

**The current parse of a report** is defined once, in ``current``; every reader that shows a
report's values goes through it.

Modules:

* ``current``: The current parse of a report: one definition for every reader.
* ``readonly``: A read-only connection to the archive database (the web app's).
* ``summaries``: Per parse result: its template and how many checks it has and fails, cached in memory.
"""

from __future__ import annotations

from storage.read.current import current_parse_id, current_parses

__all__ = ["current_parse_id", "current_parses"]
