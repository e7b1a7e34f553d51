"""The archive's storage: tables, migrations, the write API, the shared read side, blobs, WARC.

Modules:

* ``blobs``: Content-addressed blob store on local disk: each distinct content stored once, by
  sha256.
* ``bulk``: Bulk writes for the synthetic archive: chunked inserts with ids given up front, runs and
  sites added, runs closed.
* ``capture_sql``: The statements written once per response, built once per dialect (SQLite,
  PostgreSQL).
* ``changes``: The change recorder's queries: a report's versions added and read, document types,
  agencies' report years.
* ``db``: Engine creation (SQLite pragmas, PostgreSQL) and programmatic Alembic migrations.
* ``frontier``: A run's frontier in the archive database: every request it must answer, and how far
  it got.
* ``migrations/``: Alembic migrations, run automatically by ``storage.db.migrate``.
* ``models``: The archive's tables as SQLAlchemy 2 typed declarative models.
* ``read/``: The archive's read side: the current parse of a report, the read-only opener,
  parse summaries.
* ``repository``: The archive database's API for the crawler: runs, sites, captures, documents,
  reports.
* ``schedules``: The ``schedules`` table: rows added, read, removed, and the lease that lets one runner
  run each.
* ``runlock``: One active run per seed set: a lock row with a heartbeat, taken over from a dead holder.
* ``warc``: WARC 1.1 files of request/response records, as the exchanges came off the wire.
* ``objects``: Where blobs and WARC files live, one interface: a folder or an S3-compatible bucket.
* ``s3``: The S3-compatible backend (boto3): blobs and WARC files under ``s3://bucket/prefix``.
* ``agencies``: The agency registry's table: import (insert or update by name) and read back.
* ``outbox``: The alert outbox's queries: events added with their deliveries, read back, channels
  (when added, last digest).
* ``passlock``: One pass at a time per database: a PostgreSQL advisory lock, a file lock beside SQLite
  (the alert delivery pass).
* ``runs``: Reading crawl runs back: the list of runs, a run's failed URLs (``govreports runs|errors``),
  what a run fetched and found (its summary), runs by id (bundle READMEs).
"""
