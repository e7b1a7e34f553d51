"""Fetching: content encoding, charsets, TLS, challenge pages, fetch error kinds."""
