"""Stand-in for `langchain` 0.0.x as llm-jp-eval 1.3.0 uses it. Only `PromptTemplate` shapes prompt text:
its default "f-string" format is `string.Formatter().format(template, **kwargs)` (langchain's
StrictFormatter, which only adds a check for unused arguments), so braces in the template are interpreted
exactly as there. The chain classes are never run here."""
from . import chains, prompts  # noqa: F401


class HuggingFacePipeline:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("models are not run in the prompt renderer")


LLMChain = HuggingFacePipeline
