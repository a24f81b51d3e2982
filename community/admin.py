"""community admin."""
