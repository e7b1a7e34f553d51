"""Test beds: sample portal, report generator, synthetic archive (tests and demo only)."""
