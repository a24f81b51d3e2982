"""repairs selectors."""
