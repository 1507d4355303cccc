#!/usr/bin/python3
"""Exports a Llama checkpoint (config.json + model.safetensors) as a causal LM with past key/values, in the
two formats Kansoku loads through DJL Criteria:

  model.pt    TorchScript (torch.jit.trace), positional I/O:
                (input_ids, attention_mask, position_ids, past.0.key, past.0.value, ...)
                -> (logits, present.0.key, present.0.value, ...)
  model.onnx  ONNX with Hugging Face Optimum's names for `text-generation-with-past` decoders:
                input_ids, attention_mask, position_ids, past_key_values.{i}.key / .value
                -> logits, present.{i}.key / .value

Shapes as in transformers: ids, positions (B, T); mask (B, past + T), 1 = attend; keys and values
(B, kv_heads, past, head_dim), past = 0 on the first call. The module is the forward of llama_reference.py,
batched, with a padding mask and a cache; the script checks it against that unbatched reference before writing.

Run once with Debian's python3-torch (1.13; torch.onnx needs no `onnx` package), from the repository root:
  mkdir -p /tmp/exported && cp src/test/resources/exported-llama/config.json /tmp/exported/ \
    && ./kansoku make-tiny-model --dir /tmp/exported --seed 23 --std 0.3
  /usr/bin/python3 src/test/python/export_causal_lm.py /tmp/exported src/test/resources/exported-llama
"""
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llama_reference as ref  # noqa: E402


def repeat_kv(x, n):
    """transformers' repeat_kv (expand + reshape): repeat_interleave exports to ONNX with the traced batch size."""
    b, kvh, s, hd = x.shape
    return x[:, :, None, :, :].expand(b, kvh, n, s, hd).reshape(b, kvh * n, s, hd)


class CausalLmWithPast(torch.nn.Module):
    def __init__(self, cfg, weights):
        super().__init__()
        assert cfg["architectures"][0] == "LlamaForCausalLM", "the exporter covers LlamaForCausalLM"
        self.cfg = cfg
        self.layers = cfg["num_hidden_layers"]
        self.h = cfg["num_attention_heads"]
        self.kvh = cfg.get("num_key_value_heads", self.h)
        self.hd = cfg.get("head_dim", cfg["hidden_size"] // self.h)
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        theta = cfg.get("rope_theta", 10000.0)
        inv_freq = ref.scaled_inv_freq(cfg, 1.0 / (theta ** (torch.arange(0, self.hd, 2, dtype=torch.int64).float() / self.hd)))
        self.register_buffer("inv_freq", inv_freq)
        for name, t in weights.items():
            self.register_buffer(name.replace(".", "_"), t)
        self.tied = cfg.get("tie_word_embeddings", False)

    def w(self, name):
        return getattr(self, name.replace(".", "_"))

    def forward(self, input_ids, attention_mask, position_ids, *past):
        b, t = input_ids.shape
        x = torch.nn.functional.embedding(input_ids, self.w("model.embed_tokens.weight"))
        freqs = position_ids.float()[:, :, None] * self.inv_freq[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        keys = attention_mask.shape[1]
        # causal over the whole (past + new) key range, and padded keys masked out
        q_pos = torch.arange(t)[:, None] + (keys - t)
        causal = torch.arange(keys)[None, :] <= q_pos
        allowed = causal[None, None] & (attention_mask[:, None, None, :] > 0)
        bias = torch.zeros(allowed.shape).masked_fill(~allowed, torch.finfo(torch.float32).min)
        presents = []
        for i in range(self.layers):
            p = f"model.layers.{i}."
            r = ref.rms_norm(x, self.w(p + "input_layernorm.weight"), self.eps)
            q = (r @ self.w(p + "self_attn.q_proj.weight").T).view(b, t, self.h, self.hd).transpose(1, 2)
            k = (r @ self.w(p + "self_attn.k_proj.weight").T).view(b, t, self.kvh, self.hd).transpose(1, 2)
            v = (r @ self.w(p + "self_attn.v_proj.weight").T).view(b, t, self.kvh, self.hd).transpose(1, 2)
            q = q * cos + ref.rotate_half(q) * sin
            k = k * cos + ref.rotate_half(k) * sin
            k = torch.cat((past[2 * i], k), dim=2)
            v = torch.cat((past[2 * i + 1], v), dim=2)
            presents += [k, v]
            kr, vr = repeat_kv(k, self.h // self.kvh), repeat_kv(v, self.h // self.kvh)
            scores = q @ kr.transpose(2, 3) / (self.hd ** 0.5) + bias
            attn = torch.softmax(scores, dim=-1) @ vr
            x = x + attn.transpose(1, 2).reshape(b, t, self.h * self.hd) @ self.w(p + "self_attn.o_proj.weight").T
            r = ref.rms_norm(x, self.w(p + "post_attention_layernorm.weight"), self.eps)
            gate = torch.nn.functional.silu(r @ self.w(p + "mlp.gate_proj.weight").T)
            x = x + (gate * (r @ self.w(p + "mlp.up_proj.weight").T)) @ self.w(p + "mlp.down_proj.weight").T
        x = ref.rms_norm(x, self.w("model.norm.weight"), self.eps)
        head = self.w("model.embed_tokens.weight") if self.tied else self.w("lm_head.weight")
        return (x @ head.T, *presents)


def empty_past(m, b):
    return [torch.zeros(b, m.kvh, 0, m.hd) for _ in range(2 * m.layers)]


def check_against_reference(m, cfg, w):
    """Batched, left-padded and cached calls equal the unbatched reference forward."""
    seqs = [s[:12] for s in ref.SEQUENCES]
    width = max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), width, dtype=torch.long)
    mask = torch.zeros(len(seqs), width, dtype=torch.long)
    pos = torch.zeros(len(seqs), width, dtype=torch.long)
    for r, s in enumerate(seqs):
        ids[r, width - len(s):] = torch.tensor(s)
        mask[r, width - len(s):] = 1
        pos[r, width - len(s):] = torch.arange(len(s))
    # the first width-3 tokens in one call, then the last 3 one at a time through the cache
    split = width - 3
    out = m(ids[:, :split], mask[:, :split], pos[:, :split], *empty_past(m, len(seqs)))
    logits, past = [out[0]], list(out[1:])
    for j in range(split, width):
        out = m(ids[:, j:j + 1], mask[:, :j + 1], pos[:, j:j + 1], *past)
        logits.append(out[0])
        past = list(out[1:])
    logits = torch.cat(logits, dim=1)
    for r, s in enumerate(seqs):
        expected = ref.forward(cfg, w, s)
        got = logits[r, width - len(s):]
        assert torch.allclose(got, expected, atol=1e-4), (r, (got - expected).abs().max())


def main(model_dir, out_dir):
    cfg = json.load(open(f"{model_dir}/config.json"))
    w = ref.load_safetensors(f"{model_dir}/model.safetensors")
    m = CausalLmWithPast(cfg, w).eval()
    os.makedirs(out_dir, exist_ok=True)
    with torch.no_grad():
        check_against_reference(m, cfg, w)
        # traced with a non-empty past and two rows, so no shape is frozen to the trivial case
        ids = torch.tensor([[5, 9, 11], [7, 8, 2]])
        mask = torch.ones(2, 5, dtype=torch.long)
        pos = torch.tensor([[2, 3, 4], [2, 3, 4]])
        past = [torch.randn(2, m.kvh, 2, m.hd) for _ in range(2 * m.layers)]
        traced = torch.jit.trace(m, (ids, mask, pos, *past), check_trace=False)
        traced.save(f"{out_dir}/model.pt")
        names_in = ["input_ids", "attention_mask", "position_ids"]
        names_out = ["logits"]
        axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
                "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"},
                "position_ids": {0: "batch_size", 1: "sequence_length"},
                "logits": {0: "batch_size", 1: "sequence_length"}}
        for i in range(m.layers):
            for kind in ("key", "value"):
                names_in.append(f"past_key_values.{i}.{kind}")
                names_out.append(f"present.{i}.{kind}")
                axes[names_in[-1]] = {0: "batch_size", 2: "past_sequence_length"}
                axes[names_out[-1]] = {0: "batch_size", 2: "past_sequence_length + sequence_length"}
        torch.onnx.export(m, (ids, mask, pos, *past), f"{out_dir}/model.onnx", input_names=names_in,
                          output_names=names_out, dynamic_axes=axes, opset_version=14,
                          do_constant_folding=False)
        # both exports reproduce the module on shapes other than the traced ones
        loaded = torch.jit.load(f"{out_dir}/model.pt")
        probe = (torch.tensor([[3, 4, 5, 6]]), torch.ones(1, 4, dtype=torch.long), torch.arange(4)[None], *empty_past(m, 1))
        assert torch.allclose(loaded(*probe)[0], m(*probe)[0], atol=1e-5)
    digest = hashlib.sha256(open(f"{model_dir}/model.safetensors", "rb").read()).hexdigest()
    json.dump({"weights_sha256": digest, "torch": torch.__version__, "onnx_opset": 14,
               "files": ["model.pt", "model.onnx"]}, open(f"{out_dir}/export.json", "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
