#!/usr/bin/env python3
"""The markdown table of jobs/check-study-models from OUT/results.jsonl and the check-model logs beside it.

Load figures: the whole engine load (tokenizer and setup included) and, from DecoderModel's log line, the weights
alone ("N MB of weights read in S s (R MB/s)"). Usage: jobs/study_model_table.py OUT > OUT/table.md
"""
import json
import os
import re
import sys

out = sys.argv[1]
rows = [json.loads(line) for line in open(os.path.join(out, "results.jsonl"))]


def weights_rate(model, dtype):
    log = os.path.join(out, f"{model.replace('/', '--')}.{dtype}.log")
    if not os.path.exists(log):
        return None
    m = re.search(r"MB of weights read in [0-9.]+ s \((\d+) MB/s\)", open(log).read())
    return int(m.group(1)) if m else None


def load(r, dtype):
    f = r[dtype]
    if not f:
        return "**failed**"
    w = weights_rate(r["model"], dtype)
    return f"{f['load_seconds']:.1f} s, {f['load_mb_per_s']:.0f} ({w if w else '?'}), {f['peak_over_weights']:.2f}×"


print("| model | architecture | tensors | largest tensor (elements) | fp32: load, MB/s (weights alone), peak/weights "
      "| fp16: same | bf16: same | parity fp32: abs Δ loglik, greedy ids | bf16 − fp32 loglik |")
print("|---|---|---|---|---|---|---|---|---|")
ok = 0
for r in rows:
    f32, f16, b16, p = r["fp32"], r["fp16"], r["bf16"], r["parity"]
    par = f"{p['abs_diff']:.1e}, {'equal' if p['greedy_equal'] else '**differ**'}" if p else "not run"
    big = f"{f32['largest_tensor']} ({f32['largest_elements']:,})" if f32 else ""
    drift = f"{b16['loglikelihood'] - f32['loglikelihood']:+.4f}" if b16 and f32 else ""
    print(f"| {r['model']} | {r['architecture']} | {f32['tensors'] if f32 else ''} | {big} | {load(r, 'fp32')} "
          f"| {load(r, 'fp16')} | {load(r, 'bf16')} | {par} | {drift} |")
    ok += bool(f32 and f16 and b16 and p and p["abs_diff"] <= 1e-4 and p["greedy_equal"])
print(f"\n{ok}/{len(rows)} load in fp32, fp16 and bf16 and agree with the transcription in fp32 "
      "(|Δ| ≤ 1e-4, greedy ids equal).")
