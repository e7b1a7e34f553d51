"""The govreports command line: one module per command."""
