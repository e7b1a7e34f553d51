"""Item pipelines of govreports."""
