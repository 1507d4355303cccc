#!/usr/bin/env python3
"""Requests of the llm-jp-eval tasks of the suite, rendered by llm-jp-eval 1.3.0's own code.

    python3 render_llm_jp_eval.py SWALLOW_CHECKOUT OUT_DIR [task ...]

SWALLOW_CHECKOUT is swallow-llm/swallow-evaluation at tag v202407 (its llm-jp-eval folder is llm-jp-eval
1.3.0). The dataset processors run as scripts/preprocess_dataset.py runs them (`pipeline()`: download, then
the evaluation and tuning splits), with `urlretrieve` answered from the original files in ../shared/benchmarks
instead of GitHub. The prompt is built as src/llm_jp_eval/evaluator.py builds it for the suite's config
(config_no-sample.yaml: no custom templates): `get_few_shot_samples` on the train split, then
`get_evaluation_prompt`, then `format_prompt(input=...)` per test sample (utils.py line 145).

JSQuAD's training file is not available here: its URL is answered with the validation file, as Kansoku's
bundled task configuration does (few-shot pool from the validation data); the goldens say so.
"""
import os
import shutil
import sys
import tempfile
import urllib.request
from pathlib import Path

from common import use_standins, write_golden

ROOT, OUT = sys.argv[1] + "/llm-jp-eval", sys.argv[2]
SHARED = os.environ.get("KANSOKU_SHARED", "../shared/benchmarks")
use_standins(ROOT + "/src")

RAW = "https://raw.githubusercontent.com/"
LOCAL = {
    RAW + "yahoojapan/JGLUE/main/datasets/jcommonsenseqa-v1.1/train-v1.1.json": "jcommonsenseqa/train-v1.1.json",
    RAW + "yahoojapan/JGLUE/main/datasets/jcommonsenseqa-v1.1/valid-v1.1.json": "jcommonsenseqa/valid-v1.1.json",
    RAW + "aiishii/JEMHopQA/main/corpus/train.json": "jemhopqa/train.json",
    RAW + "aiishii/JEMHopQA/main/corpus/dev.json": "jemhopqa/dev.json",
    RAW + "mynlp/niilc-qa/master/data/NIILC-ECQA2015_dev.xml": "niilc/NIILC-ECQA2015_dev.xml",
    RAW + "mynlp/niilc-qa/master/data/NIILC-ECQA2015_test.xml": "niilc/NIILC-ECQA2015_test.xml",
    RAW + "yahoojapan/JGLUE/main/datasets/jsquad-v1.1/train-v1.1.json": "jsquad/valid-v1.1.json",  # missing
    RAW + "yahoojapan/JGLUE/main/datasets/jsquad-v1.1/valid-v1.1.json": "jsquad/valid-v1.1.json",
}


def local_urlretrieve(url, filename):
    if url in LOCAL:
        source = f"{SHARED}/{LOCAL[url]}"
    elif url.startswith(RAW + "nlp-waseda/JMMLU/main/JMMLU/"):
        source = f"{SHARED}/jmmlu/JMMLU/{url.rsplit('/', 1)[1]}"
    else:
        raise RuntimeError(f"no local copy of {url}")
    shutil.copyfile(source, filename)
    return filename, None


urllib.request.urlretrieve = local_urlretrieve  # before the processors bind it by `from urllib.request import`

# llm_jp_eval.datasets/__init__ imports every processor (the Wikipedia ones need rhoknp): it is not run, the
# five processor modules are imported directly
import types  # noqa: E402

import llm_jp_eval  # noqa: E402, F401

sys.modules["llm_jp_eval.datasets"] = types.ModuleType("llm_jp_eval.datasets")
sys.modules["llm_jp_eval.datasets"].__path__ = [ROOT + "/src/llm_jp_eval/datasets"]
from llm_jp_eval.datasets.jcommonsenseqa import JCommonsenseQADatasetProcessor  # noqa: E402
from llm_jp_eval.datasets.jemhopqa import JEMHopQADatasetProcessor  # noqa: E402
from llm_jp_eval.datasets.jmmlu import JMMLUDatasetProcessor  # noqa: E402
from llm_jp_eval.datasets.jsquad import JSQuADDatasetProcessor  # noqa: E402
from llm_jp_eval.datasets.niilc import NIILCDatasetProcessor  # noqa: E402
from llm_jp_eval.utils import get_evaluation_prompt, get_few_shot_samples  # noqa: E402
import json  # noqa: E402

# llm-jp-eval generates through transformers' text-generation pipeline (evaluator.py line 171), whose
# preprocess tokenises with add_special_tokens=False unless told otherwise (transformers 4.38.2, pinned in
# poetry.lock; TextGenerationPipeline.preprocess's default); llm-jp-eval passes no such argument.
SPECIAL = {"value": False, "where": "llm-jp-eval 1.3.0 src/llm_jp_eval/evaluator.py:171 pipeline('text-generation') "
                                    "-> transformers 4.38.2 TextGenerationPipeline.preprocess(add_special_tokens=False)"}

# Kansoku task id -> (processor, num_few_shots of scripts/evaluate_ja_llmjp.sh)
TASKS = {
    "jcommonsenseqa": (JCommonsenseQADatasetProcessor, 4),
    "jemhopqa": (JEMHopQADatasetProcessor, 4),
    "niilc": (NIILCDatasetProcessor, 4),
    "jsquad": (JSQuADDatasetProcessor, 4),
    "jmmlu": (JMMLUDatasetProcessor, 5),
}

only = sys.argv[3:]
work = Path(tempfile.mkdtemp(prefix="llm-jp-eval-"))
for task_id, (processor, shots) in TASKS.items():
    if only and task_id not in only:
        continue
    processor(work, "1.3.0").pipeline()
    # evaluator.py: dataset_dir = <version>/evaluation/test (scripts/evaluate_ja_llmjp.sh DATASET_DIR)
    target = work / "1.3.0" / "evaluation" / "test" / f"{processor.data_name}.json"
    data = json.loads(target.read_text(encoding="utf-8"))
    prompt = get_evaluation_prompt(data["instruction"], get_few_shot_samples(target, shots), None, None)
    requests = [{"kind": "generate_until", "context": prompt.format_prompt(input=s["input"]).text,
                 "continuation": None, "until": [], "max_new_tokens": data["output_length"]}
                for s in data["samples"]]
    write_golden(OUT, task_id, "llm-jp-eval 1.3.0 (swallow-evaluation v202407)", requests,
                 {"dataset": processor.data_name, "num_few_shots": shots,
                  "note": "jsquad: train-v1.1.json missing, valid-v1.1.json served in its place" if task_id == "jsquad" else ""},
                 SPECIAL)
shutil.rmtree(work)
