"""The archive write path.

``session``: blobs, WARC records and capture rows for every fetch (``ArchiveSession``).
``writer``: the writer thread those writes run in, off the reactor, one transaction per
response, in order (``ArchiveWriter``; its own database connection).
``policy``: re-crawl policies — which validators to send, which pages are settled
(``ConditionalPolicy``, ``FullPolicy``; chosen by ``GOVREPORTS_RECRAWL_POLICY``).
``folder``: the archive folder's layout, checked before a crawl starts.
``stores``: open the archive's storage (its folder or its ``s3://`` bucket) for a crawl or a command.
"""
