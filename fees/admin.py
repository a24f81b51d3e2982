"""fees admin."""
