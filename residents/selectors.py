"""residents selectors."""
