"""community models."""
