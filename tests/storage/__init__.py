"""Tests of the archive storage layer."""
