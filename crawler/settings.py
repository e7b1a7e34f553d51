"""Every setting's default: Scrapy's for the crawl, and govreports' own.

Values from outside (environment variables, the ``govreports.toml`` settings file) are read in
one module, :mod:`crawler.config`; command-line options override both. Scrapy reads this module
(``scrapy crawl`` and ``govreports crawl``), so each crawl setting can also be set with ``-s``.

Where things go (read through :mod:`crawler.config`):

* ``GOVREPORTS_DATA_DIR``: the folder under the working directory that holds the database and
  the archive when ``GOVREPORTS_DB`` / ``GOVREPORTS_ARCHIVE`` are not set.
* ``GOVREPORTS_CONFIG_FILE``: the settings file read from the working directory when neither
  ``--config`` nor ``$GOVREPORTS_CONFIG`` names one.

Crawl settings (read by its components):

* ``GOVREPORTS_DB``: SQLAlchemy URL of the archive database.
* ``GOVREPORTS_ARCHIVE``: directory for blobs and WARC files (for an object-store archive:
  the local working folder: logs, job state, WARC files being written).
* ``GOVREPORTS_ARCHIVE_STORE``: ``s3://bucket/prefix`` holding the blobs and WARC files
  instead (set by ``--archive s3://…``; empty: the folder holds them); the endpoint comes
  from ``$GOVREPORTS_S3_ENDPOINT_URL``, credentials from the ``AWS_*`` variables
  (docs/archive.md).
* ``GOVREPORTS_ARCHIVE_THREAD``: write each response's transaction and WARC record in the
  archive's writer thread (default True; ``crawler/archive/writer.py``); False: on the reactor.
* ``GOVREPORTS_ARCHIVE_PROCESS``: write them in a writer process of their own instead, off
  the crawler's GIL (default True; ``crawler/archive/writer_process.py``); it exits with the
  crawler, even when the crawler is killed. Takes precedence over ``GOVREPORTS_ARCHIVE_THREAD``
  (False: the writer thread, or the reactor).
* ``GOVREPORTS_WARC_MAX_BYTES``: a WARC file is closed (and, for an object store, uploaded)
  once it reaches this size (default 1 GB).
* ``GOVREPORTS_MAX_PAGES_PER_HOST``: page budget per host.
* ``GOVREPORTS_MAX_PER_TRAP_KEY``: how many URLs differing only in query values to fetch.
* ``GOVREPORTS_MAX_LIST_PAGES``: pages of a counted list asked for at once (it goes on a window
  at a time while each window's last page brings new links; other lists, data APIs and jpage
  lists go on a page or group at a time on the same terms).
* ``GOVREPORTS_LIST_PAGES_CEILING``: pages (data-API pages, jpage groups) of one list read at
  most, whatever the list says: a safety ceiling for traps that bring new links on every page
  (default 10,000); a list cut there is counted (``govreports/lists/cut/<kind>/ceiling``) and
  logged ("list cut").
* ``GOVREPORTS_SITE_SEARCH``: once discovery ends, ask each site's own search for reports
  (default True); ``GOVREPORTS_SEARCH_MAX_PAGES``: pages per host that search may fetch
  (results, their pages and attachments), outside the host's page budget.
* ``GOVREPORTS_RENDER``: render script-built list pages in headless Chromium (default True);
  ``GOVREPORTS_RENDER_MAX_PER_HOST``, ``GOVREPORTS_RENDER_TIMEOUT`` (seconds per page),
  ``GOVREPORTS_CHROMIUM`` (the browser executable; empty: ``chromium-headless-shell`` when
  installed, else ``/usr/bin/chromium``).
* ``GOVREPORTS_INSECURE_HOSTS``: hosts whose TLS certificates are not verified.
* ``GOVREPORTS_CA_FILE``: extra PEM certificates to trust (besides the system store).
* ``GOVREPORTS_PARSE``: parse report documents as they are archived (default True).
* ``GOVREPORTS_CONDITIONAL``: False selects the no-op re-crawl policy (as ``--full`` does).
* ``GOVREPORTS_REVISIT_AFTER_DAYS``: a detail page that leads to no report is not asked
  again until this many days after it was last checked (0: ask every crawl).
* ``GOVREPORTS_RECRAWL_POLICY``: the re-crawl policy class (``crawler/archive/policy.py``):
  ``ConditionalPolicy`` (default) or ``FullPolicy`` (``--full``).
* ``GOVREPORTS_RESUME``: insist on continuing an unfinished run of the same seeds (an
  interrupted or crashed run is continued anyway).
* ``GOVREPORTS_RUN_LOCK_WAIT``: seconds to wait while another crawl of the same seeds runs
  (0: refuse at once); ``GOVREPORTS_RUN_LOCK_STALE``: seconds without heartbeat after which
  its lock is taken over; ``GOVREPORTS_HEARTBEAT_SECONDS``.
* ``GOVREPORTS_FRONTIER_FLUSH_SECONDS``: how often the frontier is written to the database;
  ``GOVREPORTS_FRONTIER_MEMORY``: queued requests kept in memory, the rest read back from the
  database when due (a sitemap can queue a whole portal at once).
* Distributed mode (``--redis``; docs/distributed.md): ``GOVREPORTS_REDIS_URL`` and
  ``GOVREPORTS_RUN_KEY`` (set by ``govreports crawl/worker``), ``GOVREPORTS_WORKER_STALE``
  (seconds without heartbeat after which a worker's requests are reclaimed),
  ``GOVREPORTS_REDIS_TICK_SECONDS`` (how often a worker heartbeats and reports handled requests),
  ``GOVREPORTS_RUN_MAX_PAGES`` (``--max-pages`` for all workers together, set from the run's
  record; 0: no limit; a single process uses Scrapy's ``CLOSESPIDER_PAGECOUNT``).
* ``GOVREPORTS_CONFIG``: alert settings file (else ``$GOVREPORTS_CONFIG`` or ``./govreports.toml``);
  ``GOVREPORTS_ALERTS``: an ``AlertSettings`` object instead (set by ``govreports crawl``).
* ``GOVREPORTS_TODAY``: the day overdue reports are judged on (else ``$GOVREPORTS_TODAY``, else today).
* ``GOVREPORTS_PARSE_TIMEOUT``: seconds the parse worker may spend on one document.
* ``GOVREPORTS_OCR_PAGE_SECONDS``: seconds more per page for a scanned PDF read by OCR
  (RapidOCR takes about 6 s a page at 200 dpi on a free CPU, up to ten times that on a busy one;
  a 5-page scan gets 60 + 300 s).
* ``GOVREPORTS_PROGRESS``, ``GOVREPORTS_PROGRESS_INTERVAL``: the progress line and its period (s).
* ``RETRY_BACKOFF_BASE``, ``RETRY_BACKOFF_MAX``: exponential backoff between retries (s).
* ``GOVREPORTS_ALLOW_PRIVATE``: connect to private, loopback, link-local and reserved
  addresses too (default False: only the seeds' own hosts may be on such addresses).
* ``GOVREPORTS_PARSE_MEMORY``: bytes of memory the parse worker may use (default 1 GB);
  a document needing more is ``too_large``.
* ``GOVREPORTS_MAX_LINKS_PER_PAGE``: links read from one page (a link flood is cut there).
* ``GOVREPORTS_ANALYSIS_PROCESSES``: worker processes reading the crawled pages (links, title,
  pager, data lists: ``crawler.discovery.analysis``), so that work runs beside the crawler
  process rather than under its GIL (``crawler.processes``; default 1); 0 reads them in the
  crawler's thread pool.

Security settings (threats and defences: docs/security.md): redirects are checked against
the crawl's scope hop by hop, names are resolved by a resolver that refuses non-public
addresses, content decoding is bounded by ``DOWNLOAD_MAXSIZE``, and Scrapy's telnet console
and remote-control endpoint are off.
* ``GOVREPORTS_SCOPE``: ``domain`` (default: a seed's registered domain, e.g. every host under
  ``x.gov.cn``) or ``host`` (exactly the seed's ``host[:port]``); see ``crawler.discovery.scope``.
* ``GOVREPORTS_ALLOW_HOSTS``: further hosts the crawl may fetch from.
* ``GOVREPORTS_SOFT_404``: recognise 200 pages meaning "not found" (default True);
  ``GOVREPORTS_SOFT_404_PROBE``: probe each host once with a nonsense URL (default True).
* ``GOVREPORTS_MAX_WAIT``, ``GOVREPORTS_BACKOFF_AFTER``, ``GOVREPORTS_BACKOFF_BASE``,
  ``GOVREPORTS_BACKOFF_MAX``: per-host pauses (Retry-After, Crawl-delay, failing hosts); see
  ``crawler.middlewares.politeness``.
* ``GOVREPORTS_RESOLVE``: {host name: IP address} answered without DNS (``--resolve``).

Alert delivery defaults (``ALERTS_*``; the ``[alerts]`` tables of the settings file and the
``GOVREPORTS_WEBHOOK_*`` / ``GOVREPORTS_SMTP_*`` variables override them, docs/alerts.md), and
the legal deadlines (month, day of the year after the report year).
"""

from __future__ import annotations

from scrapy.settings import default_settings as _scrapy_defaults

from crawler.logs import DATE_FORMAT as LOGS_DATE_FORMAT
from crawler.logs import LOG_FORMAT as LOGS_FORMAT
from crawler.version import software_version

BOT_NAME = "govreports"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = f"{software_version()} (+https://github.com/govreports/govreports; research archive)"
ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"

# Politeness: few requests per host at once, adaptive delay.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Outputs of one callback handled at once. Scrapy (2.13+, asyncio reactor) starts this many
# tasks for every response of an async callback: its default of 100 cost more CPU than the
# archive write (benchmarks/crawl.py); a page yields a few dozen requests and rarely an item.
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Robustness.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 12
DEPTH_PRIORITY = 0
HTTPERROR_ALLOW_ALL = True
DOWNLOAD_VERIFY_CERTIFICATES = True
DOWNLOADER_CLIENTCONTEXTFACTORY = "crawler.fetch.tls.PerHostContextFactory"
COOKIES_ENABLED = True
DNSCACHE_ENABLED = True
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.retry.RetryBackoffMiddleware": 549,
    # the nonsense-URL probe goes before the host's pacing, so it is paced like any request
    "crawler.middlewares.soft404.SoftNotFoundMiddleware": 555,
    "crawler.middlewares.politeness.HostPolitenessMiddleware": 560,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.decompression.BoundedHttpCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.redirect_scope.ScopedRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.redirect_scope.ScopedMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.conditional.ConditionalRequestMiddleware": 940,
    "crawler.middlewares.archive.WireArchiveMiddleware": 950,
    "crawler.middlewares.addresses.PrivateAddressMiddleware": 960,
    # CPU spent per request for nothing (benchmarks/crawl.py): the spider sets no
    # allowed_domains, so Scrapy's offsite filter lets every request through (the crawl's scope
    # is crawler.discovery.scope's, checked by the spider and the redirect middlewares), and
    # nothing reads DownloaderStats' downloader/* byte and count stats (the crawl summary
    # counts from the archive database), which serialised every request's headers to size it.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
}
SPIDER_MIDDLEWARES = {
    # the pages of one list are as deep as its first page (DEPTH_LIMIT bounds links, not lists)
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "crawler.middlewares.list_depth.ListDepthMiddleware": 900,
}
#: The frontier lives in the archive database (crash-safe; see crawler/frontier/).
SCHEDULER = "crawler.frontier.scheduler.DatabaseScheduler"
EXTENSIONS = {
    "crawler.extensions.run_owner.RunOwner": 100,
    "crawler.extensions.progress.ProgressExtension": 500,
    "crawler.extensions.leftovers.LeftoverCleanup": 100,
    "crawler.logs.StructuredLogs": 0,
}
#: Extensions a crawl never runs, left out of Scrapy's base list rather than set to None in
#: EXTENSIONS: Scrapy imports every EXTENSIONS key, a disabled one too, and RemoteControl's
#: module imports aiohttp (about 10 MB of a crawl's memory).
EXTENSIONS_BASE = {name: order for name, order in _scrapy_defaults.EXTENSIONS_BASE.items()
                   if name not in ("scrapy.extensions.telnet.TelnetConsole",
                                   "scrapy.extensions.remote_control.RemoteControl")}
# No way into a running crawl: no telnet console, no remote-control HTTP endpoint (and so
# no token files in the user's state folder).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Names resolving to private, loopback, link-local or reserved addresses are refused;
# names pinned by --resolve (GOVREPORTS_RESOLVE) are answered as given.
TWISTED_DNS_RESOLVER = "crawler.fetch.addresses.PublicAddressResolver"
ITEM_PIPELINES = {
    "pipelines.archive.ReportArchivePipeline": 300,
}

GOVREPORTS_WORKER_STALE = 30.0
GOVREPORTS_REDIS_TICK_SECONDS = 0.5
GOVREPORTS_RUN_MAX_PAGES = 0
GOVREPORTS_MAX_PAGES_PER_HOST = 5000
GOVREPORTS_MAX_PER_TRAP_KEY = 30
GOVREPORTS_MAX_LIST_PAGES = 500
GOVREPORTS_LIST_PAGES_CEILING = 10_000
GOVREPORTS_SITE_SEARCH = True
GOVREPORTS_SEARCH_MAX_PAGES = 60
GOVREPORTS_RENDER = True
GOVREPORTS_RENDER_MAX_PER_HOST = 20
GOVREPORTS_RENDER_TIMEOUT = 15.0
GOVREPORTS_CHROMIUM = ""  # empty: chromium-headless-shell when installed, else /usr/bin/chromium
GOVREPORTS_ARCHIVE_STORE = ""
GOVREPORTS_WARC_MAX_BYTES = 1_000_000_000
GOVREPORTS_ARCHIVE_THREAD = True
GOVREPORTS_ARCHIVE_PROCESS = True
GOVREPORTS_INSECURE_HOSTS: list[str] = []
GOVREPORTS_CA_FILE = ""
GOVREPORTS_PARSE = True
GOVREPORTS_CONDITIONAL = True
GOVREPORTS_REVISIT_AFTER_DAYS = 7.0
GOVREPORTS_RECRAWL_POLICY = "crawler.archive.policy.ConditionalPolicy"
GOVREPORTS_RESUME = False
GOVREPORTS_RUN_LOCK_WAIT = 0.0
GOVREPORTS_RUN_LOCK_STALE = 60.0
GOVREPORTS_HEARTBEAT_SECONDS = 5.0
GOVREPORTS_FRONTIER_FLUSH_SECONDS = 1.0
GOVREPORTS_FRONTIER_MEMORY = 2000
GOVREPORTS_CONFIG = ""
GOVREPORTS_TODAY = ""
GOVREPORTS_PARSE_TIMEOUT = 60.0
GOVREPORTS_OCR_PAGE_SECONDS = 60.0
GOVREPORTS_PROGRESS = True
GOVREPORTS_PROGRESS_INTERVAL = 2.0
RETRY_BACKOFF_BASE = 0.5
RETRY_BACKOFF_MAX = 30.0

GOVREPORTS_DATA_DIR = "govreports-data"
GOVREPORTS_CONFIG_FILE = "govreports.toml"

ALERTS_WEBHOOK_TIMEOUT = 10.0
ALERTS_SMTP_TIMEOUT = 30.0
ALERTS_ATOM_MAX_ENTRIES = 100
ALERTS_RETRY_WAIT = 0.5
ALERTS_BACKOFF_BASE = 60.0
ALERTS_BACKOFF_MAX = 3600.0
#: How a channel sends unless configured: ``immediate`` (one message per event), ``daily``, ``weekly``.
ALERTS_DIGEST = "immediate"
#: The calendar (IANA time zone) whose days and ISO weeks delimit digest periods.
ALERTS_DIGEST_TIMEZONE = "UTC"
#: At most this many events in one digest message (a longer digest is sent in parts).
ALERTS_DIGEST_MAX_EVENTS = 200
DEADLINE_DEPARTMENT = (1, 31)
DEADLINE_GOVERNMENT = (3, 31)
GOVREPORTS_ALERT_CHANNELS: list[str] = []
#: A baseline crawl (``crawl --baseline``): alert events are recorded, marked, never delivered.
GOVREPORTS_ALERT_BASELINE = False
GOVREPORTS_ALLOW_PRIVATE = False
GOVREPORTS_MAX_LINKS_PER_PAGE = 5000
GOVREPORTS_ANALYSIS_PROCESSES = 1
GOVREPORTS_PARSE_MEMORY = 1024 * 1024 * 1024
GOVREPORTS_SCOPE = "domain"
GOVREPORTS_ALLOW_HOSTS: list[str] = []
GOVREPORTS_RESOLVE: dict[str, str] = {}

LOG_LEVEL = "INFO"
# One line format for the crawl log and the CLI; extra= fields follow as key=value (crawler.logs).
LOG_FORMAT = LOGS_FORMAT
LOG_DATEFORMAT = LOGS_DATE_FORMAT
#: ``kv`` (key=value lines) or ``json`` (JSON lines); both keep every structured field.
GOVREPORTS_LOG_FORMAT = "kv"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
