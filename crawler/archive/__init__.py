"""The archive write path: blobs, WARC records and capture rows for every fetch."""
