"""renovation models."""
