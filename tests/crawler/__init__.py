"""Unit tests for the crawler's plain-function modules."""
