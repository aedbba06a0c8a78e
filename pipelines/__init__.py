"""socle package."""
