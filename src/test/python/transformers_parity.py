"""Checkpoints saved by Hugging Face transformers itself, and transformers' own scores on them: the reference for
TransformersParityTest.

For every architecture Kansoku implements, a small random model is built with ``AutoModelForCausalLM.from_config``
and written by ``save_pretrained`` (config.json in the installed transformers' own serialisation: ``rope_parameters``,
``dtype``, ``layer_types``). Each is written twice more by hand: once with its config.json rewritten in the 4.x form
(top-level ``rope_theta``/``rope_scaling``, ``torch_dtype``, no ``layer_types``), and, for Llama, once saved in bfloat16
in several shards. The tokenizer is Kansoku's bundled one (tokenizers library, the same file).

For each checkpoint the script writes ``reference.json``: per log-likelihood request the ids lm-evaluation-harness'
``_encode_pair`` gives (context encoded on its own, trailing spaces moved to the continuation) and transformers'
sum of continuation log-probabilities and is_greedy under eager attention in float32; per generation prompt the
greedy ids of ``generate()`` (its KV cache, the generation config's eos).

usage: transformers_parity.py --tokenizer DIR --out DIR
"""

import argparse
import copy
import json
import os
import shutil
import sys

import torch
import transformers
from tokenizers import Tokenizer
from transformers import AutoConfig, AutoModelForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness_rules import encode_pair  # noqa: E402

VOCAB = 48586  # the bundled tokenizer's
EOS = 7

COMMON = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, max_position_embeddings=256, bos_token_id=1, eos_token_id=EOS, pad_token_id=4)

# name -> (model_type, config overrides)
CASES = {
    "llama": ("llama", dict(rope_theta=10000.0, tie_word_embeddings=False)),
    "llama-tied-theta": ("llama", dict(rope_theta=500000.0, tie_word_embeddings=True)),
    "llama31": ("llama", dict(rope_theta=500000.0, rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0,
                                                                      high_freq_factor=4.0, original_max_position_embeddings=64))),
    "llama-linear": ("llama", dict(rope_scaling=dict(rope_type="linear", factor=4.0))),
    "llama-dynamic": ("llama", dict(rope_scaling=dict(rope_type="dynamic", factor=4.0))),
    "llama-bias": ("llama", dict(attention_bias=True)),
    "llama-yarn": ("llama", dict(rope_theta=1000000.0, rope_scaling=dict(rope_type="yarn", factor=4.0,
                                                                          original_max_position_embeddings=64))),
    "mistral": ("mistral", dict(sliding_window=8, rope_theta=10000.0)),
    "mixtral": ("mixtral", dict(num_local_experts=4, num_experts_per_tok=2, intermediate_size=48)),
    "qwen2": ("qwen2", dict(rope_theta=1000000.0, tie_word_embeddings=True)),
    "qwen2-window": ("qwen2", dict(use_sliding_window=True, sliding_window=8, max_window_layers=1)),
    "cohere": ("cohere", dict(logit_scale=0.25)),
    # caps small enough to bite on these weights; layer 0 slides (window 8), layer 1 attends to everything
    "gemma2": ("gemma2", dict(head_dim=16, query_pre_attn_scalar=24, sliding_window=8, attn_logit_softcapping=4.0,
                              final_logit_softcapping=6.0)),
    "gemma2-bias-nocap": ("gemma2", dict(head_dim=32, attention_bias=True, attn_logit_softcapping=None,
                                         final_logit_softcapping=None, tie_word_embeddings=False)),
    # head_dim 32 where hidden_size / heads is 16 (Qwen3Config's own default is 128)
    "qwen3": ("qwen3", dict(head_dim=32, rope_theta=1000000.0)),
    "qwen3-bias-window": ("qwen3", dict(head_dim=32, attention_bias=True, use_sliding_window=True, sliding_window=8,
                                        max_window_layers=1, tie_word_embeddings=True)),
    "gpt2": ("gpt2", dict(n_embd=64, n_layer=2, n_head=4, n_positions=256, activation_function="gelu_new")),
}

PAIRS = [
    ("Question: What is the capital of Japan?\nAnswer:", " Tokyo"),
    ("質問：日本の首都はどこですか？\n答え：", "東京"),
    ("吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。", "何でも薄暗いじめじめした所で"),
    ("def add(a, b):", "\n    return a + b"),
    ("The quick brown fox jumps over the lazy dog. " * 3 + "The end is", " near."),
    ("以下は、タスクを説明する指示です。要求を適切に満たす応答を書きなさい。\n\n### 指示:\n質問に答えてください。\n\n### 応答:\n", "はい"),
    ("Translate to English: 今日は良い天気です。 ", "Today is a nice day."),
    ("1 + 1 = ", "2"),
    ("She said", " \"hello\" twice, and then left the room without another word."),
    ("東京タワーの高さは", "333メートルです。"),
]

PROMPTS = [
    "Question: Natalia sold clips to 48 of her friends in April.\nAnswer:",
    "日本で一番高い山は",
    "def fibonacci(n):\n",
]
NEW_TOKENS = 12


def sharpen(model, seed):
    """Weights of std 0.15 and norm weights around 1 (from_config's 0.02 leaves near-uniform distributions, which
    would hide an error in attention or rotary embedding)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or name.startswith("transformer.ln_f") or ".ln_" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=g))


def legacy_config(cfg):
    """config.json as transformers 4.x wrote it: top-level rope_theta and rope_scaling, torch_dtype, no layer_types."""
    out = dict(cfg)
    params = out.pop("rope_parameters", None)
    if params is not None:
        params = dict(params)
        out["rope_theta"] = params.pop("rope_theta")
        out["rope_scaling"] = None if params.get("rope_type", "default") == "default" else params
    if "dtype" in out:
        out["torch_dtype"] = out.pop("dtype")
    out.pop("layer_types", None)
    out["transformers_version"] = "4.44.2"
    return out


def loglikelihood(model, ctx, cont):
    ids = torch.tensor([(ctx + cont)[:-1]])
    logits = model(ids).logits[0, -len(cont):].double()
    target = torch.tensor(cont)
    return torch.log_softmax(logits, dim=-1)[torch.arange(len(cont)), target].sum().item(), logits, target


def reference(model, tok):
    out = {"loglikelihood": [], "generation": []}
    # transformers' own half precision (weights and activations in bf16 / fp16, eager attention), the yardstick for
    # Kansoku's half-precision scores
    halves = {name: copy.deepcopy(model).to(dtype) for name, dtype in (("bf16", torch.bfloat16), ("fp16", torch.float16))}
    with torch.no_grad():
        for context, continuation in PAIRS:
            ctx, cont = encode_pair(tok, context, continuation, False)
            ll, logits, target = loglikelihood(model, ctx, cont)
            greedy = bool((logits.argmax(-1) == target).all().item())
            row = dict(context=context, continuation=continuation, context_ids=ctx, continuation_ids=cont, loglikelihood=ll,
                       greedy=greedy)
            for name, half in halves.items():
                row["loglikelihood_" + name] = loglikelihood(half, ctx, cont)[0]
            out["loglikelihood"].append(row)
        for prompt in PROMPTS:
            ids = tok.encode(prompt, add_special_tokens=False).ids
            gen = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                 max_new_tokens=NEW_TOKENS, do_sample=False, pad_token_id=4)
            out["generation"].append(dict(prompt=prompt, prompt_ids=ids, generated_ids=gen[0, len(ids):].tolist()))
    return out


def copy_tokenizer(src, dst):
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if os.path.exists(os.path.join(src, f)):
            shutil.copy(os.path.join(src, f), dst)


def write_case(out_dir, name, model, tok, tokenizer_dir, ref, config_rewrite=None):
    d = os.path.join(out_dir, name)
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    if config_rewrite is not None:
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config_rewrite(cfg), f, indent=2)
    copy_tokenizer(tokenizer_dir, d)
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump(dict(ref, transformers=transformers.__version__, torch=torch.__version__), f, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    tok = Tokenizer.from_file(os.path.join(args.tokenizer, "tokenizer.json"))
    written = []
    for i, (name, (model_type, overrides)) in enumerate(CASES.items()):
        if args.only and name not in args.only:
            continue
        kw = dict(COMMON) if model_type != "gpt2" else dict(vocab_size=VOCAB, bos_token_id=1, eos_token_id=EOS)
        kw.update(overrides)
        cfg = AutoConfig.for_model(model_type, **kw)
        cfg._attn_implementation = "eager"
        torch.manual_seed(i)
        model = AutoModelForCausalLM.from_config(cfg, attn_implementation="eager").float().eval()
        sharpen(model, 1000 + i)
        model.generation_config.eos_token_id = EOS
        ref = reference(model, tok)
        for variant, rewrite in (("", None), ("-legacy", legacy_config)):
            model.save_pretrained(os.path.join(args.out, name + variant))
            write_case(args.out, name + variant, model, tok, args.tokenizer, ref, rewrite)
            written.append(name + variant)
        if name == "llama":
            # bf16 in several shards: the reference is transformers' float32 model on the bf16-rounded weights
            d = os.path.join(args.out, "llama-bf16-sharded")
            model.to(torch.bfloat16).save_pretrained(d, max_shard_size="1MB")
            back = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager").eval()
            write_case(args.out, "llama-bf16-sharded", back, tok, args.tokenizer, reference(back, tok))
            written.append("llama-bf16-sharded")
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(written, f)
    print("wrote", len(written), "checkpoints with transformers", transformers.__version__, "torch", torch.__version__)


if __name__ == "__main__":
    sys.exit(main())
