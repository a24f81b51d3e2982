"""fees selectors."""
