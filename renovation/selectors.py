"""renovation selectors."""
