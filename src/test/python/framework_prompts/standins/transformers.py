"""Stand-in for `transformers`: lm-eval's api/model.py and the JP harness import it for model classes and
tokenizers, which prompt rendering never instantiates. The classes exist only to be compared by identity."""


class AutoModelForCausalLM:
    pass


class AutoModelForSeq2SeqLM:
    pass


class AutoTokenizer:
    pass


class PreTrainedTokenizer:
    pass


class PreTrainedTokenizerBase:
    pass


class PreTrainedTokenizerFast:
    pass


class logging:  # noqa: N801 (transformers' module name)
    @staticmethod
    def get_verbosity():
        return 0

    @staticmethod
    def set_verbosity_error():
        pass

    @staticmethod
    def set_verbosity(level):
        pass


def pipeline(*args, **kwargs):
    raise RuntimeError("models are not run in the prompt renderer")
