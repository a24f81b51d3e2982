"""community services."""
