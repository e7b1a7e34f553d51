"""The software version recorded in every crawl run and WARC file."""

from __future__ import annotations

from importlib import metadata


def software_version() -> str:
    """Return ``govreports/<version>`` for provenance records."""
    try:
        version = metadata.version("govreports")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        version = "0+unknown"
    return f"govreports/{version}"
