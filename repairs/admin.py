"""repairs admin."""
