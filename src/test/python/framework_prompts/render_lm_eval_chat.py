#!/usr/bin/env python3
"""Chat-form requests of lm-evaluation-harness tasks, built by lm-evaluation-harness 0.4.13's own code with a real
tokenizer's chat template (transformers' apply_chat_template, as the harness' HF model passes it).

    python render_lm_eval_chat.py JOBS.json
    JOBS.json: a list of {"task", "shots", "limit", "tokenizer", "multiturn", "first_n", "plain", "out"}
    (plain: the same requests without the chat template; first_n: shots drawn by the harness' FirstNSampler)

The harness is the installed lm_eval package (requirements-nodeps.txt); its datasets come from the stand-ins
(standins/: the original files in ../shared/benchmarks). Tasks are loaded by its TaskManager, --num_fewshot set as
the CLI sets it, and `Task.build_all_requests(apply_chat_template=..., fewshot_as_multiturn=..., chat_template=...)`
builds the Instances; HFLM.apply_chat_template's call (add_generation_prompt, continue_final_message) is repeated
here because HFLM itself needs a loaded torch model. Output: a JSON list of {kind, context, continuation}.
"""
import json
import logging
import os
import sys

from transformers import AutoTokenizer  # the real one, before the stand-ins are on the path

from common import use_standins

import lm_eval

use_standins(os.path.dirname(os.path.dirname(lm_eval.__file__)))
logging.disable(logging.WARNING)


def render(manager, job, tokenizers):
    tok = tokenizers.setdefault(job["tokenizer"], AutoTokenizer.from_pretrained(job["tokenizer"]))

    def chat_template(chat_history, add_generation_prompt=True):
        # lm_eval/models/huggingface.py 0.4.13 HFLM.apply_chat_template
        return tok.apply_chat_template(chat_history, tokenize=False, add_generation_prompt=add_generation_prompt,
                                       continue_final_message=not add_generation_prompt)

    plain = job.get("plain", False)
    loaded = manager.load([job["task"]])
    tasks = loaded["tasks"] if isinstance(loaded, dict) and "tasks" in loaded else loaded
    out = []
    for name in sorted(tasks):
        task = tasks[name]
        task.set_config(key="num_fewshot", value=job["shots"])
        if job.get("first_n"):
            from lm_eval.api.samplers import FirstNSampler

            task.sampler = FirstNSampler(task.sampler.df, rnd=None)
        task.build_all_requests(limit=job["limit"], apply_chat_template=not plain,
                                fewshot_as_multiturn=bool(job.get("multiturn", True)),
                                chat_template=None if plain else chat_template, system_instruction=None)
        for inst in task.instances:
            cont = inst.args[1] if inst.request_type == "loglikelihood" else None
            out.append({"kind": inst.request_type, "context": inst.args[0], "continuation": cont})
    with open(job["out"], "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)


def main():
    from lm_eval.tasks import TaskManager

    manager = TaskManager()
    tokenizers = {}
    for job in json.load(open(sys.argv[1], encoding="utf-8")):
        render(manager, job, tokenizers)


if __name__ == "__main__":
    sys.exit(main())
