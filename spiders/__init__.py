"""spiders package of govreports."""
