"""Stand-in for `comet`: llm-jp-eval's utils.py downloads and loads a COMET model at import time for a
translation metric the suite's tasks do not use; here both calls return a placeholder."""


def download_model(*args, **kwargs):
    return "comet-model-not-available"


def load_from_checkpoint(*args, **kwargs):
    return None
