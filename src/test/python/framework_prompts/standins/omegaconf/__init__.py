"""Stand-in for `omegaconf` (the JP harness's utils.py imports it for config helpers not used here)."""


class OmegaConf:
    pass
