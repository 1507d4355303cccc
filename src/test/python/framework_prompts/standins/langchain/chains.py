class SequentialChain:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("chains are not run in the prompt renderer")
