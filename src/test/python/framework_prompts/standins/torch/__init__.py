"""Stand-in for `torch`: the JP harness's base.py and utils.py import it for model code, which prompt
rendering never runs."""
from . import nn, utils  # noqa: F401


class Tensor:  # appears in type hints
    pass


class device:  # noqa: N801 (torch's name)
    pass


dtype = device
