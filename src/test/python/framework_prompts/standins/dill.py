"""Stand-in for `dill` (lm-eval's request cache; build_all_requests runs with cache_requests=False)."""


def dumps(obj):
    raise RuntimeError("request caching is off in the prompt renderer")


def loads(data):
    raise RuntimeError("request caching is off in the prompt renderer")
