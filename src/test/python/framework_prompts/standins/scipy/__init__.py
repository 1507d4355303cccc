"""Stand-in (correlation metrics; not computed here)."""
