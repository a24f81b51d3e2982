"""renovation admin."""
