"""Stand-in for Hugging Face `evaluate`: lm-eval v0.4.2 loads its exact_match metric at import time. Metric
computation is not part of prompt rendering, so the loaded object refuses to compute."""


class _Unavailable:
    def __init__(self, name):
        self.name = name

    def compute(self, *args, **kwargs):
        raise RuntimeError(f"metric {self.name!r} is not available in the prompt renderer")


def load(name, *args, **kwargs):
    return _Unavailable(name)
