"""Stand-in: metrics only."""
