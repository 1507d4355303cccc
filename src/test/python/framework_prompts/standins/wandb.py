"""Stand-in for `wandb` (llm-jp-eval's logging; off in the suite's config)."""


class Table:
    def __init__(self, *args, **kwargs):
        pass
