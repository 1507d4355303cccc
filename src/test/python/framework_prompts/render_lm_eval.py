#!/usr/bin/env python3
"""Requests of the lm-evaluation-harness tasks of the suite, rendered by lm-evaluation-harness's own code.

    python3 render_lm_eval.py LM_EVAL_CHECKOUT OUT_DIR

LM_EVAL_CHECKOUT is EleutherAI/lm-evaluation-harness at tag v0.4.2 (the swallow-evaluation v202407 copy,
lm-evaluation-harness-en, differs from it only in models/huggingface.py by one blank line). The tasks are
loaded by its TaskManager, the --num_fewshot override is applied as lm_eval.evaluator.simple_evaluate applies
it (evaluator.py lines 214-229), and `Task.build_all_requests` builds the Instances; nothing else is
re-implemented. Only `datasets`, `evaluate`, `sacrebleu`, `sklearn` and `tqdm` are stand-ins (standins/).
"""
import logging
import os
import sys

from common import use_standins, write_golden

ROOT, OUT = sys.argv[1], sys.argv[2]
use_standins(ROOT, package="lm_eval")
logging.disable(logging.WARNING)

from lm_eval.tasks import TaskManager, get_task_dict  # noqa: E402

# lm_eval/models/huggingface.py (v0.4.2) HFLM.tok_encode, line 669: for AutoModelForCausalLM
# `add_special_tokens = False or self.add_bos_token`, add_bos_token defaults to False (line 101) and the suite's
# --model_args do not set it; tok_batch_encode (generation, line 694) follows the same rule.
SPECIAL = {"value": False, "where": "lm-evaluation-harness v0.4.2 lm_eval/models/huggingface.py:669 "
                                    "(add_special_tokens = False or self.add_bos_token; add_bos_token=False)"}
# HFLM.generate_until: max_gen_toks from the task's generation_kwargs, else the model's default of 256
DEFAULT_MAX_GEN_TOKS = 256

# Kansoku task id -> (lm-eval task or group, --num_fewshot of scripts/evaluate_english.sh, HELLASWAG_SOURCE)
TASKS = {
    "openbookqa": ("openbookqa", 4, None),
    "hellaswag": ("hellaswag", 4, "dump"),
    "hellaswag_jsonl": ("hellaswag", 1, "jsonl"),  # the fixture has 2 training records
    "mmlu": ("mmlu", 5, None),
    "gsm8k": ("gsm8k", 4, None),
    "bbh": ("bbh_cot_fewshot", 3, None),
    "triviaqa": ("triviaqa", 4, None),
    "squad2": ("squadv2", 4, None),
    "xwino_en": ("xwinograd_en", 4, None),
}


def leaves(task_dict):
    for name, task in task_dict.items():
        if isinstance(task, tuple):  # (group name, task) in v0.4.2
            task = task[1]
        if isinstance(task, dict):
            yield from leaves(task)
        elif task is not None:
            yield name, task


def render(lm_eval_task, num_fewshot):
    manager = TaskManager(verbosity="ERROR")
    requests = []
    for name, task in sorted(leaves(get_task_dict([lm_eval_task], manager)), key=lambda t: t[0]):
        # evaluator.py v0.4.2 lines 214-229: the CLI's --num_fewshot overrides the task's unless it is 0
        if task.get_config("num_fewshot") != 0:
            task.set_config(key="num_fewshot", value=num_fewshot)
        task.build_all_requests(limit=None, rank=0, world_size=1)
        for inst in task.instances:
            if inst.request_type == "generate_until":
                ctx, gen = inst.arguments
                requests.append({"kind": "generate_until", "context": ctx, "continuation": None,
                                 "until": list(gen.get("until", [])),
                                 "max_new_tokens": gen.get("max_gen_toks", DEFAULT_MAX_GEN_TOKS)})
            else:
                ctx, cont = inst.arguments
                requests.append({"kind": "loglikelihood", "context": ctx, "continuation": cont})
    return requests


only = sys.argv[3:]
for task_id, (lm_eval_task, shots, hellaswag) in TASKS.items():
    if only and task_id not in only:
        continue
    if hellaswag:
        os.environ["HELLASWAG_SOURCE"] = hellaswag
    write_golden(OUT, task_id, "lm-evaluation-harness v0.4.2", render(lm_eval_task, shots),
                 {"task": lm_eval_task, "num_fewshot": shots}, SPECIAL)
