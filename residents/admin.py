"""residents admin."""
