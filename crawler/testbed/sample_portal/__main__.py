"""``python -m crawler.testbed.sample_portal``: the same as ``govreports sample-portal``."""

from __future__ import annotations

from crawler.cli.sample_portal import sample_portal_command

if __name__ == "__main__":
    sample_portal_command()
