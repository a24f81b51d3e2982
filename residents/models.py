"""residents models."""
