"""repairs models."""
