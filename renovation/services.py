"""renovation services."""
