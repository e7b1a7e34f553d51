"""The parser's version, recorded in every record; bump it when the output changes."""

from __future__ import annotations

PARSER_VERSION = "0.3.0"
