"""crawler package of govreports."""
