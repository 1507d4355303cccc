"""The peer side of `kansoku bench peer`: Hugging Face transformers on the same checkpoint and the same requests.

--make DIR writes the benchmark checkpoint with transformers itself (from_config + save_pretrained, float32): a
TinyLlama-shaped Llama (hidden 2,048, 32 heads / 4 KV heads, MLP 5,632) with 2 layers and the bundled tokenizer's
vocabulary, weights of std 0.02.

--run DIR REQUESTS.json OUT.json measures, with torch.set_num_threads(--threads):
  load: from_pretrained (float32, eager attention), after imports, then AutoTokenizer.from_pretrained (what
  lm-evaluation-harness's HFLM loads before its first request; Kansoku's engine load also reads both), each timed;
  then the first log-likelihood request alone (the mapped weights are paged in by the first forward pass);
  scoring: lm-evaluation-harness v0.4.2's HFLM._loglikelihood_tokens way — requests sorted longest first, batches of
    --batch-size padded on the right, one forward per batch; requests whose input (context + continuation)[:-1] is
    identical share one forward, as the harness' one-token-continuation cache does;
  generation: generate() with its KV cache, greedy, left-padded batches of --gen-batch, max_new_tokens per request;
  peak resident memory (getrusage).
REQUESTS.json holds the token ids Kansoku used ({"loglikelihood": [[ctx, cont], ...], "generation": [[prompt ids,
max new tokens], ...]}), so both sides compute on the same ids.
"""
import argparse
import json
import resource
import sys
import time

import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer


def make(out, vocab):
    cfg = AutoConfig.for_model("llama", vocab_size=vocab, hidden_size=2048, intermediate_size=5632, num_hidden_layers=2,
                               num_attention_heads=32, num_key_value_heads=4, max_position_embeddings=2048,
                               rope_parameters={"rope_type": "default", "rope_theta": 10000.0}, rms_norm_eps=1e-5,
                               tie_word_embeddings=False, bos_token_id=1, eos_token_id=7, pad_token_id=4)
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(cfg).float().save_pretrained(out)


def score(model, pairs, batch_size):
    order = sorted(range(len(pairs)), key=lambda i: -len(pairs[i][0]) - len(pairs[i][1]))
    inputs = {}
    for i in order:
        inputs.setdefault(tuple((pairs[i][0] + pairs[i][1])[:-1]), []).append(i)
    keys = list(inputs)
    results, tokens = [None] * len(pairs), 0
    with torch.no_grad():
        for b in range(0, len(keys), batch_size):
            batch = keys[b:b + batch_size]
            width = max(len(k) for k in batch)
            ids = torch.full((len(batch), width), 0, dtype=torch.long)
            for r, k in enumerate(batch):
                ids[r, :len(k)] = torch.tensor(k)
            logprobs = torch.log_softmax(model(ids).logits.float(), dim=-1)
            tokens += sum(len(k) for k in batch)
            for r, k in enumerate(batch):
                for i in inputs[k]:
                    cont = pairs[i][1]
                    rows = logprobs[r, len(k) - len(cont):len(k)]
                    results[i] = rows[torch.arange(len(cont)), torch.tensor(cont)].sum().item()
    return results, tokens


def generate(model, prompts, batch_size):
    generated, out_ids = 0, []
    with torch.no_grad():
        for b in range(0, len(prompts), batch_size):
            batch = prompts[b:b + batch_size]
            width = max(len(p) for p, _ in batch)
            ids = torch.full((len(batch), width), 4, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for r, (p, _) in enumerate(batch):
                ids[r, width - len(p):] = torch.tensor(p)
                mask[r, width - len(p):] = 1
            new = max(n for _, n in batch)
            gen = model.generate(ids, attention_mask=mask, max_new_tokens=new, do_sample=False, pad_token_id=4)
            for r in range(len(batch)):
                row = gen[r, width:].tolist()
                if 7 in row:
                    row = row[:row.index(7) + 1]
                out_ids.append(row)
                generated += len(row)
    return out_ids, generated


def run(model_dir, requests_path, out_path, threads, batch_size, gen_batch):
    torch.set_num_threads(threads)
    req = json.load(open(requests_path))
    t0 = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager").eval()
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    AutoTokenizer.from_pretrained(model_dir)
    tokenizer_load = time.perf_counter() - t0
    # the first request right after loading: the mapped weights are paged in by the first forward pass
    t0 = time.perf_counter()
    score(model, req["loglikelihood"][:1], 1)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    lls, scored_tokens = score(model, req["loglikelihood"], batch_size)
    scoring = time.perf_counter() - t0
    t0 = time.perf_counter()
    gens, generated = generate(model, req["generation"], gen_batch)
    generation = time.perf_counter() - t0
    out = dict(transformers=__import__("transformers").__version__, torch=torch.__version__, threads=threads,
               load_seconds=load, tokenizer_load_seconds=tokenizer_load, first_request_seconds=first, scoring_seconds=scoring, forwarded_tokens=scored_tokens, loglikelihood=lls,
               generation_seconds=generation, generated_tokens=generated, generated=gens,
               peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    json.dump(out, open(out_path, "w"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--make")
    ap.add_argument("--vocab", type=int, default=48586)
    ap.add_argument("--run", nargs=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--gen-batch", type=int, default=8)
    a = ap.parse_args()
    if a.make:
        make(a.make, a.vocab)
    if a.run:
        run(*a.run, a.threads, a.batch_size, a.gen_batch)


if __name__ == "__main__":
    sys.exit(main())
