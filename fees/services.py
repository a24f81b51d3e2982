"""fees services."""
