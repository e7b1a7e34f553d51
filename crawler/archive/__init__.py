"""The archive write path.

``session``: blobs, WARC records and capture rows for every fetch (``ArchiveSession``).
``writer``: the writer thread those writes run in, off the reactor, one transaction per
response, in order (``ArchiveWriter``; its own database connection).
``writer_process``: the same in a process of its own, off the crawler's GIL (``ProcessWriter``,
``GOVREPORTS_ARCHIVE_PROCESS``, the default).
``wire``: the request and response as plain data, what the write path reads of them.
``policy``: re-crawl policies — which validators to send, which pages are settled
(``ConditionalPolicy``, ``FullPolicy``; chosen by ``GOVREPORTS_RECRAWL_POLICY``).
``folder``: the archive folder's layout, checked before a crawl starts.
``stores``: open the archive's storage (its folder or its ``s3://`` bucket) for a crawl or a command.
"""
