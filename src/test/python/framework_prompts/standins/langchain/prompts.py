import string


class BasePromptTemplate:
    pass


class _PromptValue:
    def __init__(self, text):
        self.text = text


class PromptTemplate(BasePromptTemplate):
    def __init__(self, input_variables, template, template_format="f-string"):
        if template_format != "f-string":
            raise NotImplementedError(template_format)
        self.input_variables = input_variables
        self.template = template

    def format(self, **kwargs):
        return string.Formatter().format(self.template, **kwargs)

    def format_prompt(self, **kwargs):
        return _PromptValue(self.format(**kwargs))
