"""Low-level helpers every stage may use: atomic file writes, process pools."""
