"""govreports: find, archive and parse China's government information disclosure annual reports.

A report travels discovery → fetch → archive → reports/parsing → storage, then out through
exports, web and alerts; ``docs/architecture.md`` draws the stages. Packages and modules:

* ``alerts/``: Change alerts: an outbox of events written with the change, delivered by channel.
* ``archive/``: The archive write path: blobs, WARC records and capture rows for every fetch.
* ``cli/``: The govreports command line: one module per command.
* ``config``: Where configuration comes in from outside: the environment and the settings file, read
  here only.
* ``discovery/``: Discovery: canonical URLs, pages, list adapters, link scores.
* ``errors``: The one exception tree: every error govreports raises on purpose derives from
  ``GovreportsError``.
* ``exports/``: Exports of the archive for researchers: tables (CSV, JSONL, Parquet, XLSX) and
  bundles.
* ``extensions/``: Scrapy extensions: the run's owner, progress.
* ``fetch/``: Fetching: content encoding, charsets, TLS, challenge pages, fetch error kinds.
* ``frontier/``: The crawl frontier: what a run still has to fetch, kept where a crash cannot lose it.
* ``items``: Items the spider yields: a document found to carry an annual report.
* ``logs``: Structured log lines, ``time level=… logger=… message k=v …``: the one formatter.
* ``middlewares/``: Scrapy downloader middlewares (their order in ``crawler.settings``).
* ``parsing/``: Parse 政府信息公开工作年度报告 (HTML, PDF, DOCX, DOC/WPS, text) into the record of issue 3.
* ``reports/``: The domain rules of annual reports, each defined once: the record's keys, the form's
  words, titles, the official checks, identity and versions, changes, regions, document types.
* ``run/``: Running a crawl: options, settings, the run's summary.
* ``schedules/``: Scheduled crawls: schedules kept in the database, and the runner that starts them
  when due.
* ``settings``: Every setting's default: Scrapy's for the crawl, and govreports' own.
* ``testbed/``: Test beds: sample portal, report generator, synthetic archive (tests and demo only).
* ``threads``: Blocking work off the reactor thread: one thread pool, awaited as an asyncio future.
* ``processes``: Work sent to other processes: the page analysis of a crawl, off the crawler's GIL.
* ``version``: The software version recorded in every crawl run and WARC file.
* ``web/``: The read-only web app and JSON API over the archive (``govreports serve``).
"""
