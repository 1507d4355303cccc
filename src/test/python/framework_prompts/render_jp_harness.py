#!/usr/bin/env python3
"""Requests of the JP LM Evaluation Harness tasks of the suite, rendered by the harness's own code.

    python3 render_jp_harness.py SWALLOW_CHECKOUT OUT_DIR [task ...]

SWALLOW_CHECKOUT is swallow-llm/swallow-evaluation at tag v202407; its lm-evaluation-harness-jp folder is the
harness the suite ran (scripts/evaluate_ja_{mgsm,wmt20_enja,wmt20_jaen,xlsum}.sh). `lm_eval.evaluator.evaluate`
itself runs (its Random(42) document shuffle, the rnd handed to fewshot_context, construct_requests); the
model is a recorder that keeps the requests evaluate() hands it and then stops the run. The `lm_eval`,
`lm_eval.tasks` and `lm_eval.models` package __init__ files are not run (they import every task and model
backend of the harness); the four task modules are imported directly.

The recorder's tokenizer counts one token per character and its context holds 10^6 tokens, so MGSM's
shot-dropping and XL-Sum's article truncation (both model-dependent) never trigger, and XL-Sum's generation
budget (summary length + 10 model tokens) is not a model's: it is left out of the comparison.
"""
import logging
import sys

from common import use_standins, write_golden

ROOT, OUT = sys.argv[1] + "/lm-evaluation-harness-jp", sys.argv[2]
use_standins(ROOT, package="lm_eval")
logging.disable(logging.WARNING)

import types  # noqa: E402

for stub in ("lm_eval.models",):
    sys.modules[stub] = types.ModuleType(stub)
import lm_eval  # noqa: E402

lm_eval.models = sys.modules["lm_eval.models"]
sys.modules["lm_eval.tasks"] = types.ModuleType("lm_eval.tasks")
sys.modules["lm_eval.tasks"].__path__ = [ROOT + "/lm_eval/tasks"]

import lm_eval.base  # noqa: E402
import lm_eval.evaluator  # noqa: E402
from lm_eval.tasks import translation  # noqa: E402
from lm_eval.tasks.ja import mgsm, xlsum_ja  # noqa: E402

# lm_eval/models/huggingface.py (the JP harness) HuggingFaceAutoLM.add_special_tokens, lines 339-342: None
# (the suite's --model_args do not set it) and AutoModelForCausalLM -> False; tok_encode (line 397) and
# tok_encode_batch (line 403) pass it to the tokenizer.
SPECIAL = {"value": False, "where": "JP LM Evaluation Harness (swallow-evaluation v202407) "
                                    "lm_eval/models/huggingface.py:339-342 (causal LM -> add_special_tokens=False)"}
EOS = "</s>"  # the recorder tokenizer's eos_token; MGSM stops at the model's EOS token and "\n"


class RecorderTokenizer:
    eos_token = EOS

    def encode(self, text, add_special_tokens=False):
        return list(range(len(text)))

    def decode(self, ids, skip_special_tokens=True):
        raise RuntimeError("no truncation is expected with a 10^6-token context")


class Recorded(Exception):
    pass


class RecorderLM:
    """Keeps the greedy_until requests evaluate() issues, then stops it before any metric runs."""
    tokenizer = RecorderTokenizer()
    max_length = 10 ** 6
    max_gen_toks = 256  # HuggingFaceAutoLM's default (models/huggingface.py line 77)

    def __init__(self):
        self.requests = []

    def greedy_until(self, requests):
        self.requests = list(requests)
        raise Recorded()


# Kansoku task id -> (harness task class, --num_fewshot of the suite's script)
TASKS = {
    "mgsm_ja": (mgsm.MGSM, 4),
    "wmt20_en_ja": (translation.create_translation_task("wmt20", "en-ja", 1), 4),
    "wmt20_ja_en": (translation.create_translation_task("wmt20", "ja-en", 0), 4),
    "xlsum_ja": (xlsum_ja.XLSumJa, 1),
}

only = sys.argv[3:]
for task_id, (task_class, shots) in TASKS.items():
    if only and task_id not in only:
        continue
    lm = RecorderLM()
    try:
        lm_eval.evaluator.evaluate(lm=lm, task_dict={task_id: task_class()}, num_fewshot=[shots], limit=[None])
    except Recorded:
        pass
    requests = []
    for args in lm.requests:
        ctx, until = args[0], ["<model eos>" if u == EOS else u for u in args[1]]
        max_new = args[2] if len(args) > 2 and task_id != "xlsum_ja" else None
        requests.append({"kind": "generate_until", "context": ctx, "continuation": None,
                         "until": list(until), "max_new_tokens": max_new if max_new is not None else 0})
    write_golden(OUT, task_id, "JP LM Evaluation Harness (swallow-evaluation v202407)", requests,
                 {"task": task_class.__name__, "num_fewshot": shots}, SPECIAL)
