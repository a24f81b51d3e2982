"""residents services."""
