"""Check (c) of the GPU kit: the requests gpu-check measured (figures.json), through Hugging Face transformers'
AutoModelForCausalLM with eager attention on the same device, dtype and batch sizes — what users would otherwise
run. Scores the very token ids Kansoku scored (so tokenization is not compared), reports tokens/s for scoring and
greedy generation and the largest log-likelihood difference, and the ratio Kansoku / transformers per figure.

    python3 hf_compare.py --figures figures.json --device cuda:0 --out hf.json
"""
import argparse
import json
import time

import torch
from transformers import AutoModelForCausalLM

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}


def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def score(model, batch, device):
    """Summed log-probabilities of each request's continuation ids after its context ids (right padding)."""
    seqs = [r["context_ids"] + r["continuation_ids"] for r in batch]
    width = max(len(s) for s in seqs)
    ids = torch.zeros((len(seqs), width), dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    with torch.no_grad():
        logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float()
    logp = torch.log_softmax(logits, dim=-1)
    out = []
    for i, r in enumerate(batch):
        start = len(r["context_ids"])
        total = 0.0
        for j, tok in enumerate(r["continuation_ids"]):
            total += logp[i, start + j - 1, tok].item()
        out.append(total)
    return out


def generate(model, prompts, new_tokens, device):
    width = max(len(p) for p in prompts)
    ids = torch.zeros((len(prompts), width), dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for i, p in enumerate(prompts):  # left padding, as generation needs
        ids[i, width - len(p):] = torch.tensor(p)
        mask[i, width - len(p):] = 1
    with torch.no_grad():
        out = model.generate(input_ids=ids.to(device), attention_mask=mask.to(device), max_new_tokens=new_tokens,
                             min_new_tokens=new_tokens, do_sample=False, pad_token_id=0)
    return (out.shape[1] - width) * len(prompts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--figures", required=True)
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    figures = json.load(open(a.figures))
    result = {"transformers": __import__("transformers").__version__, "torch": torch.__version__, "device": a.device,
              "models": []}
    for m in figures["checks"]["b_throughput"].get("models", []):
        r = {"checkpoint": m["checkpoint"], "dtype": m["dtype"]}
        t0 = time.time()
        model = AutoModelForCausalLM.from_pretrained(m["checkpoint"], torch_dtype=DTYPES[m["dtype"]],
                                                     attn_implementation="eager").to(a.device).eval()
        sync(a.device)
        r["load_seconds"] = time.time() - t0
        requests = m["requests"]
        r["scoring"] = []
        for s in m["scoring"]:
            batch = requests[: s["batch"]]
            score(model, batch, a.device)  # warm-up
            sync(a.device)
            t0 = time.time()
            values = score(model, batch, a.device)
            sync(a.device)
            seconds = time.time() - t0
            tokens = sum(len(x["context_ids"]) + len(x["continuation_ids"]) for x in batch)
            row = {"batch": s["batch"], "seconds": seconds, "tokens_per_second": tokens / seconds,
                   "kansoku_over_transformers": s["tokens_per_second"] / (tokens / seconds)}
            if s["batch"] == len(requests):
                row["max_abs_loglikelihood_difference"] = max(abs(v - x["loglikelihood"]) for v, x in zip(values, batch))
            r["scoring"].append(row)
        r["generation"] = []
        for g in m["generation"]:
            sync(a.device)
            t0 = time.time()
            tokens = generate(model, g["prompt_ids"], g["new_tokens"], a.device)
            sync(a.device)
            seconds = time.time() - t0
            r["generation"].append({"batch": g["batch"], "seconds": seconds, "tokens_per_second": tokens / seconds,
                                    "kansoku_over_transformers": g["tokens_per_second"] / (tokens / seconds)})
        result["models"].append(r)
        del model
        if a.device.startswith("cuda"):
            torch.cuda.empty_cache()
    json.dump(result, open(a.out, "w"), indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
