"""Goldens of LlamaReferenceParityTest from Hugging Face transformers itself.

For a checkpoint directory (config.json + model.safetensors, written by `./kansoku make-tiny-model`), transformers'
AutoModelForCausalLM (from_pretrained, float32, eager attention) computes, for each of the fixed id sequences, the
logits at a few probe ids, the argmax at every position and the log-probability of each next token; the file also
records the weights' SHA-256 and the versions. These replaced the goldens of the project's own PyTorch transcription
(llama_reference.py, which remains only as the module export_causal_lm.py exports) in session 13.

Usage, from the repository root, with the Python reference environment (src/test/python/reference-env.sh):
  ./kansoku make-tiny-model                                   # data/models/kansoku-tiny-llama
  mkdir -p /tmp/variant && cp src/test/resources/llama-variant/config.json /tmp/variant/ \
    && ./kansoku make-tiny-model --dir /tmp/variant --seed 7 --std 0.3
  "$KANSOKU_REFERENCE_PYTHON" src/test/python/transformers_goldens.py data/models/kansoku-tiny-llama src/test/resources/goldens/tiny.json
  "$KANSOKU_REFERENCE_PYTHON" src/test/python/transformers_goldens.py /tmp/variant src/test/resources/goldens/variant.json
and likewise mistral-variant (seed 11), qwen2-variant (13), llama3-variant (17), mixtral-variant (19), all --std 0.3,
cohere-variant (23) and gpt2-variant (29) with --std 0.3 --random-norms (src/test/python/regenerate_goldens.sh).
"""
import hashlib
import json
import sys

import torch
import transformers
from transformers import AutoModelForCausalLM

SEQUENCES = [
    [463, 10149, 11983, 10260, 13072, 315, 17575, 485, 12846, 367, 5753, 2129, 2855, 11648, 396, 12778, 298],
    [12573, 31, 27248, 29777, 317, 32, 7],
    [5, 100, 2000, 30000, 48585, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39],
]
PROBE_IDS = [0, 1, 7, 31, 298, 463, 2129, 10149, 30000, 48585]


def main(model_dir, out_path):
    cfg = json.load(open(f"{model_dir}/config.json"))
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager").eval()
    goldens = []
    with torch.no_grad():
        for ids in SEQUENCES:
            logits = model(torch.tensor([ids])).logits[0]
            logp = torch.log_softmax(logits.double(), dim=-1)
            goldens.append({
                "ids": ids,
                "probe_ids": PROBE_IDS,
                "logits": logits[:, PROBE_IDS].tolist(),
                "argmax": logits.argmax(-1).tolist(),
                # log-likelihood of the sequence's own next tokens, as the harness scores a continuation
                "next_token_logprob": [logp[i, ids[i + 1]].item() for i in range(len(ids) - 1)],
            })
    digest = hashlib.sha256(open(f"{model_dir}/model.safetensors", "rb").read()).hexdigest()
    json.dump({"config": cfg, "weights_sha256": digest, "reference": "transformers " + transformers.__version__,
               "torch": torch.__version__, "sequences": goldens}, open(out_path, "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
