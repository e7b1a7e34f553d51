"""The govreports command line: one module per command.

Modules:

* ``alerts``: ``govreports alerts``: list change alerts with their delivery states; ``deliver``
  sends them.
* ``common``: What every ``govreports`` command that opens the archive shares: help text and the
  opener.
* ``errors``: The CLI's one error boundary: a :class:`~crawler.errors.GovreportsError` becomes a
  clean message.
* ``export``: ``govreports export``: tables (csv, jsonl, parquet, xlsx) or a research bundle
  (BagIt).
* ``main``: The ``govreports`` command line: crawl, demo, reports, export, parse, sample-portal.
* ``parse``: ``govreports parse FILE [--json]``: register :data:`parse_command` in the main CLI
  group.
* ``sample_portal``: ``govreports sample-portal``: serve the sample portal until Ctrl-C.
* ``schedule``: ``govreports schedule``: add, list, remove, enable, disable and run recurring
  crawls.
* ``serve``: ``govreports serve``: the read-only web app and API on the archive database.
* ``synthetic``: ``govreports synthetic-archive``: fill an empty archive with generated reports.
* ``versions``: ``govreports versions`` and ``govreports diff``: a report's versions and what
  changed.
* ``agencies``: ``govreports agencies import FILE`` and ``agencies list``: the registry of agencies that should report.
* ``exit_codes``: Exit codes of ``govreports`` commands (documented in the README).
* ``worker``: ``govreports worker --redis URL``: join a distributed crawl.
* ``status``: ``govreports status --redis URL``: a distributed run's frontier, hosts and workers.
* ``runs``: ``govreports runs`` (the crawl runs) and ``govreports errors --run N`` (a run's failed URLs).
"""
