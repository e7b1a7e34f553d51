"""pipelines package of govreports."""
