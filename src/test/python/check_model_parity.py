"""Parity of `kansoku check-model` with Hugging Face transformers, on the shape-true checkpoint itself.

`kansoku check-model --out DIR --report REPORT.json` leaves a random-weight checkpoint with a published model's
exact tensor names and shapes (bf16 shards + model.safetensors.index.json) and the ids it scored and generated.
This script has transformers load the same shards (`from_pretrained`, float32, eager attention: hf_scores.py), score
the same ids and generate greedily from the same prompt, and prints the log-likelihood difference and whether the
greedy ids agree. Usage (the Python reference environment: src/test/python/reference-env.sh):
  "$KANSOKU_REFERENCE_PYTHON" src/test/python/check_model_parity.py DIR REPORT.json [OUT.json]
"""
import json
import os
import sys

import torch
import transformers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_scores import score  # noqa: E402


def main(model_dir, report_path, out_path=None):
    cfg = json.load(open(f"{model_dir}/config.json"))
    report = json.load(open(report_path))
    ref = score(model_dir, [[report["context_ids"], report["continuation_ids"]]], [report["prompt_ids"]],
                len(report["generated_ids"]))
    ll = ref["loglikelihood"][0]
    result = {
        "architecture": cfg["architectures"][0],
        "reference": "transformers " + transformers.__version__,
        "reference_loglikelihood": ll,
        "kansoku_loglikelihood": report["loglikelihood"],
        "abs_diff": abs(ll - report["loglikelihood"]),
        "greedy_equal": ref["generated"][0] == report["generated_ids"],
        "reference_greedy": ref["generated"][0],
        "kansoku_greedy": report["generated_ids"],
        "torch": torch.__version__,
    }
    print(json.dumps(result))
    if out_path:
        json.dump(result, open(out_path, "w"), indent=1)
    return 0 if result["abs_diff"] <= 1e-4 and result["greedy_equal"] else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
