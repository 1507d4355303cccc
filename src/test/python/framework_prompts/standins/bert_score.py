"""Stand-in (llm-jp-eval imports it for a metric not used by the suite's tasks)."""
