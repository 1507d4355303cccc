"""Stand-in for scikit-learn, imported by the frameworks' metric modules; metrics are not computed here."""
