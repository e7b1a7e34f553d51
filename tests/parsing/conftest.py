"""Shared helpers for the parser tests: the seeds folder beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def shared_dir(*parts: str) -> Path:
    """A folder under ../shared; fails under CI=true when missing, skips otherwise."""
    path = SHARED.joinpath(*parts)
    if not path.is_dir():
        message = f"{path} is missing (the shared folder beside the repository)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
