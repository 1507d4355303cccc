"""Stand-in: model code only."""
