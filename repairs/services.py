"""repairs services."""
