"""The read-only web app and JSON API over the archive (``govreports serve``)."""

from __future__ import annotations
