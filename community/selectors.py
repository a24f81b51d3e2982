"""community selectors."""
