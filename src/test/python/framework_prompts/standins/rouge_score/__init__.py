"""Stand-in for `rouge_score` (metrics only; the JP harness's utils.py imports it)."""
from . import rouge_scorer, scoring  # noqa: F401
