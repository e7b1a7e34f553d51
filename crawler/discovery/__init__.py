"""Discovery: canonical URLs, pages, list adapters, link scores."""
