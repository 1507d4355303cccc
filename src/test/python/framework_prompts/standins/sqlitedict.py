"""Stand-in for `sqlitedict` (lm-eval's response cache, unused when rendering prompts)."""


class SqliteDict(dict):
    def __init__(self, *args, **kwargs):
        super().__init__()
