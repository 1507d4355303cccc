#!/usr/bin/env python3
"""Requests of the bigcode-evaluation-harness tasks of the suite, rendered by the harness's own code.

    python3 render_bigcode.py SWALLOW_CHECKOUT OUT_DIR [task ...]

SWALLOW_CHECKOUT is swallow-llm/swallow-evaluation at tag v202407; its bigcode-evaluation-harness folder is the
harness the suite ran (scripts/evaluate_{english,ja}_humaneval-unstripped.sh: tasks humaneval-unstripped and
jhumaneval-unstripped, n_samples 10, batch_size 10, max_length_generation 1024). The prompts are the strings
`bigcode_eval.utils.TokenizedDataset.__iter__` hands its tokenizer (prefix "" as main.py's default); the
tokenizer is a recorder. bigcode_eval/tasks/__init__ (every task of the harness) is not run: the HumanEval
task module is imported directly.
"""
import sys
import types

from common import use_standins, write_golden

ROOT, OUT = sys.argv[1] + "/bigcode-evaluation-harness", sys.argv[2]
use_standins(ROOT, package="bigcode_eval")
sys.modules["bigcode_eval.tasks"] = types.ModuleType("bigcode_eval.tasks")
sys.modules["bigcode_eval.tasks"].__path__ = [ROOT + "/bigcode_eval/tasks"]

from bigcode_eval.tasks import humaneval  # noqa: E402
from bigcode_eval.utils import TokenizedDataset  # noqa: E402

# bigcode_eval/utils.py:99 calls the tokenizer with transformers' defaults: add_special_tokens=True
SPECIAL = {"value": True, "where": "bigcode-evaluation-harness (swallow-evaluation v202407) bigcode_eval/utils.py:99 "
                                   "self.tokenizer(prompts, padding=True, truncation=True, ...) (default add_special_tokens=True)"}
MAX_LENGTH_GENERATION = 1024  # prompt + generation, in tokens (the suite's --max_length_generation)


class Recorded(Exception):
    pass


class RecorderTokenizer:
    def __init__(self):
        self.prompts = []

    def __call__(self, prompts, **kwargs):
        self.prompts = list(prompts)
        raise Recorded()


TASKS = {"humaneval": "humaneval-unstripped", "jhumaneval": "jhumaneval-unstripped"}

only = sys.argv[3:]
for task_id, name in TASKS.items():
    if only and task_id not in only:
        continue
    task = humaneval.create_all_tasks()[name]()
    dataset = task.get_dataset()
    tokenizer = RecorderTokenizer()
    try:
        next(iter(TokenizedDataset(task, dataset, tokenizer, num_devices=1, max_length=MAX_LENGTH_GENERATION,
                                   limit_start=0, n_tasks=len(dataset), n_copies=1, prefix="")))
    except Recorded:
        pass
    requests = [{"kind": "generate_until", "context": p, "continuation": None, "until": task.stop_words,
                 "max_new_tokens": 0} for p in tokenizer.prompts]
    write_golden(OUT, task_id, "bigcode-evaluation-harness (swallow-evaluation v202407)", requests,
                 {"task": name, "n_samples": 10, "temperature": 0.2, "top_p": 0.95,
                  "max_length_generation": MAX_LENGTH_GENERATION}, SPECIAL)
