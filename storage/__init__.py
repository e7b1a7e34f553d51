"""storage package of govreports."""
