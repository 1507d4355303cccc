#!/usr/bin/python3
"""Parity of `kansoku check-model` with the PyTorch transcription, on the shape-true checkpoint itself.

`kansoku check-model --out DIR --report REPORT.json` leaves a random-weight checkpoint with a published model's
exact tensor names and shapes (bf16 shards + model.safetensors.index.json) and the ids it scored and generated.
This script reads the same shards (memory-mapped, bf16 widened exactly to float32, as the engine's fp32 path does),
runs llama_reference.forward — the transcription of transformers' modeling_llama / mistral / qwen2 / mixtral /
cohere / gpt2 that the goldens come from — on the same ids, and prints the log-likelihood difference and whether
the greedy ids agree. Usage (Debian's python3-torch):
  /usr/bin/python3 src/test/python/check_model_parity.py DIR REPORT.json [OUT.json]
"""
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llama_reference import forward  # noqa: E402


def load_sharded(model_dir):
    """Every tensor the index names, from its shard, as float32 (bf16 and fp16 widen exactly)."""
    index = json.load(open(f"{model_dir}/model.safetensors.index.json"))
    out = {}
    for shard in sorted(set(index["weight_map"].values())):
        path = f"{model_dir}/{shard}"
        with open(path, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
        data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
        for name, info in header.items():
            if name == "__metadata__" or index["weight_map"].get(name) != shard:
                continue
            begin, end = info["data_offsets"]
            raw = data[begin:end]
            if info["dtype"] == "BF16":
                wide = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32)
                wide <<= 16
                arr = wide.view(np.float32)
            elif info["dtype"] == "F16":
                arr = np.frombuffer(raw, dtype=np.float16).astype(np.float32)
            else:
                arr = np.array(np.frombuffer(raw, dtype=np.float32))
            out[name] = torch.from_numpy(arr.reshape(info["shape"]))
    return out


def main(model_dir, report_path, out_path=None):
    cfg = json.load(open(f"{model_dir}/config.json"))
    report = json.load(open(report_path))
    w = load_sharded(model_dir)
    ctx, cont = report["context_ids"], report["continuation_ids"]
    with torch.no_grad():
        ids = ctx + cont
        logp = torch.log_softmax(forward(cfg, w, ids), dim=-1)
        ll = sum(logp[len(ctx) - 1 + i, t].item() for i, t in enumerate(cont))
        seq = list(report["prompt_ids"])
        greedy = []
        for _ in range(len(report["generated_ids"])):
            nxt = int(forward(cfg, w, seq)[-1].argmax().item())
            greedy.append(nxt)
            seq.append(nxt)
    result = {
        "architecture": cfg["architectures"][0],
        "reference_loglikelihood": ll,
        "kansoku_loglikelihood": report["loglikelihood"],
        "abs_diff": abs(ll - report["loglikelihood"]),
        "greedy_equal": greedy == report["generated_ids"],
        "reference_greedy": greedy,
        "kansoku_greedy": report["generated_ids"],
        "torch": torch.__version__,
    }
    print(json.dumps(result))
    if out_path:
        json.dump(result, open(out_path, "w"), indent=1)
    return 0 if result["abs_diff"] <= 1e-4 and result["greedy_equal"] else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
