#!/usr/bin/python3
"""A PyTorch transcription of transformers' causal LMs — since session 13 only the module export_causal_lm.py exports.

The goldens of LlamaReferenceParityTest now come from transformers itself (transformers_goldens.py,
regenerate_goldens.sh); this transcription agreed with them to 2.4e-5 on all eight checkpoints. What follows is how it
was used before.

Reference logits for Kansoku's Java Llama forward pass.

An independent PyTorch transcription of transformers' LlamaForCausalLM forward (modeling_llama: RMSNorm,
rotary embeddings with rope_theta, grouped-query attention via repeat_kv, SwiGLU MLP, tied or untied
head). It reads config.json and model.safetensors itself (no transformers / safetensors packages needed)
and writes golden values that LlamaReferenceParityTest compares with the Java engine (fp32, 1e-4).

The goldens' how-to is now transformers_goldens.py's (regenerate_goldens.sh).

Beyond modeling_llama it transcribes transformers' rope scaling (modeling_rope_utils: "linear" and "llama3"
inv_freq) and MixtralSparseMoeBlock (router softmax, top-k, renormalised weights, index_add of expert outputs),
and transformers' modeling_cohere (CohereForCausalLM, read at huggingface/transformers 015bfeb): CohereLayerNorm
(mean-centred, no bias, weight applied in float32), rotary tables by repeat_interleave with the even/odd
rotate_half, the parallel block residual + attention(h) + mlp(h) from one norm, logits * logit_scale; and
modeling_gpt2 (GPT2LMHeadModel, read at huggingface/transformers 0010f60): learned positions, LayerNorm with bias,
Conv1D (x @ W + b, W stored [in, out]) with q, k, v fused in c_attn, GELU (erf) or NewGELU (tanh) MLP, tied head.
"""
import math
import json
import struct

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None}
SEQUENCES = [
    [463, 10149, 11983, 10260, 13072, 315, 17575, 485, 12846, 367, 5753, 2129, 2855, 11648, 396, 12778, 298],
    [12573, 31, 27248, 29777, 317, 32, 7],
    [5, 100, 2000, 30000, 48585, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39],
]


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float32).copy())
    return out


def rms_norm(x, w, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def scaled_inv_freq(cfg, inv_freq):
    scaling = cfg.get("rope_scaling")
    if not scaling:
        return inv_freq
    kind = scaling.get("rope_type", scaling.get("type"))
    factor = scaling["factor"]
    if kind == "linear":
        return inv_freq / factor
    assert kind == "llama3", kind
    low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv_freq
    scaled = torch.where(wavelen > low_wavelen, inv_freq / factor, inv_freq)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, scaled)


def sparse_moe(cfg, w, p, r):
    b, t, d = r.shape
    flat = r.view(-1, d)
    logits = flat @ w[p + "block_sparse_moe.gate.weight"].T
    weights = torch.softmax(logits, dim=1, dtype=torch.float)
    weights, chosen = torch.topk(weights, cfg.get("num_experts_per_tok", 2), dim=-1)
    weights = weights / weights.sum(dim=-1, keepdim=True)
    out = torch.zeros_like(flat)
    mask = torch.nn.functional.one_hot(chosen, num_classes=cfg["num_local_experts"]).permute(2, 1, 0)
    for e in range(cfg["num_local_experts"]):
        idx, top = torch.where(mask[e])
        if top.numel() == 0:
            continue
        q = p + f"block_sparse_moe.experts.{e}."
        x = flat[top]
        y = (torch.nn.functional.silu(x @ w[q + "w1.weight"].T) * (x @ w[q + "w3.weight"].T)) @ w[q + "w2.weight"].T
        out.index_add_(0, top, y * weights[top, idx, None])
    return out.view(b, t, d)


def cohere_layer_norm(x, w, eps):
    x = x.to(torch.float32)
    mean = x.mean(-1, keepdim=True)
    variance = (x - mean).pow(2).mean(-1, keepdim=True)
    x = (x - mean) * torch.rsqrt(variance + eps)
    return w.to(torch.float32) * x


def cohere_rotate_half(x):
    x1 = x[..., ::2]
    x2 = x[..., 1::2]
    return torch.stack([-x2, x1], dim=-1).flatten(-2)


def cohere_forward(cfg, w, ids):
    d = cfg["hidden_size"]
    h = cfg["num_attention_heads"]
    kvh = cfg.get("num_key_value_heads", h)
    hd = d // h
    eps = cfg.get("layer_norm_eps", 1e-5)
    theta = cfg.get("rope_theta", 10000.0)
    t = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)].unsqueeze(0)
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    freqs = torch.outer(torch.arange(t).float(), inv_freq)
    emb = torch.repeat_interleave(freqs, 2, dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)[None, None]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        r = cohere_layer_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (r @ w[p + "self_attn.q_proj.weight"].T).view(1, t, h, hd).transpose(1, 2)
        k = (r @ w[p + "self_attn.k_proj.weight"].T).view(1, t, kvh, hd).transpose(1, 2)
        v = (r @ w[p + "self_attn.v_proj.weight"].T).view(1, t, kvh, hd).transpose(1, 2)
        q = q * cos + cohere_rotate_half(q) * sin
        k = k * cos + cohere_rotate_half(k) * sin
        k = k.repeat_interleave(h // kvh, dim=1)
        v = v.repeat_interleave(h // kvh, dim=1)
        scores = q @ k.transpose(2, 3) * hd ** -0.5 + mask
        attn = torch.softmax(scores, dim=-1, dtype=torch.float32) @ v
        attn = attn.transpose(1, 2).reshape(1, t, h * hd) @ w[p + "self_attn.o_proj.weight"].T
        gate = torch.nn.functional.silu(r @ w[p + "mlp.gate_proj.weight"].T)
        mlp = (gate * (r @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        x = x + attn + mlp
    x = cohere_layer_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", True) else w["lm_head.weight"]
    return (x @ head.T)[0] * cfg.get("logit_scale", 0.0625)


def gpt2_forward(cfg, w, ids):
    # transformers' modeling_gpt2 (GPT2LMHeadModel, read at huggingface/transformers 0010f60): wte + wpe, per block
    # ln_1 -> Conv1D c_attn split into q, k, v -> scaled causal softmax -> c_proj, residual, ln_2 -> c_fc -> act -> c_proj,
    # residual; ln_f; head tied to wte. Conv1D computes x @ W + b with W stored [in, out].
    d = cfg["n_embd"]
    h = cfg["n_head"]
    hd = d // h
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    act = cfg.get("activation_function", "gelu_new")
    t = len(ids)
    pre = "transformer."
    x = w[pre + "wte.weight"][torch.tensor(ids)] + w[pre + "wpe.weight"][torch.arange(t)]
    x = x.unsqueeze(0)
    causal = torch.tril(torch.ones((t, t), dtype=torch.bool))[None, None]

    def ln(x, name):
        return torch.nn.functional.layer_norm(x, (d,), w[name + ".weight"], w[name + ".bias"], eps)

    def conv1d(x, name):
        return torch.addmm(w[name + ".bias"], x.view(-1, x.size(-1)), w[name + ".weight"]).view(x.size()[:-1] + (-1,))

    def activation(x):
        if act == "gelu":
            return torch.nn.functional.gelu(x)
        # NewGELUActivation
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

    for i in range(cfg["n_layer"]):
        p = f"{pre}h.{i}."
        r = ln(x, p + "ln_1")
        q, k, v = conv1d(r, p + "attn.c_attn").split(d, dim=2)
        q, k, v = (z.reshape(1, t, h, hd).permute(0, 2, 1, 3) for z in (q, k, v))
        scores = torch.matmul(q, k.transpose(-1, -2)) / torch.full([], v.size(-1) ** 0.5, dtype=q.dtype)
        scores = torch.where(causal, scores, torch.full([], torch.finfo(scores.dtype).min, dtype=scores.dtype))
        attn = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous().view(1, t, d)
        x = x + conv1d(attn, p + "attn.c_proj")
        r = ln(x, p + "ln_2")
        x = x + conv1d(activation(conv1d(r, p + "mlp.c_fc")), p + "mlp.c_proj")
    x = ln(x, pre + "ln_f")
    head = w[pre + "wte.weight"] if cfg.get("tie_word_embeddings", True) else w["lm_head.weight"]
    return (x @ head.T)[0]


def forward(cfg, w, ids):
    if cfg["architectures"][0] == "CohereForCausalLM":
        return cohere_forward(cfg, w, ids)
    if cfg["architectures"][0] == "GPT2LMHeadModel":
        return gpt2_forward(cfg, w, ids)
    d = cfg["hidden_size"]
    h = cfg["num_attention_heads"]
    kvh = cfg.get("num_key_value_heads", h)
    hd = cfg.get("head_dim", d // h)
    eps = cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta", 10000.0)
    t = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)].unsqueeze(0)
    inv_freq = scaled_inv_freq(cfg, 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd)))
    pos = torch.arange(t).float()
    freqs = torch.outer(pos, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)
    window = cfg.get("sliding_window") if cfg["architectures"][0] == "MistralForCausalLM" or cfg.get("use_sliding_window") else None
    if window:
        # MistralForCausalLM: key j is visible to query i only when i - window < j <= i
        mask = mask.masked_fill(torch.arange(t)[None, :] <= torch.arange(t)[:, None] - window, torch.finfo(torch.float32).min)
    mask = mask[None, None]
    bias = cfg["architectures"][0] == "Qwen2ForCausalLM" or cfg.get("attention_bias", False)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        r = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = r @ w[p + "self_attn.q_proj.weight"].T
        k = r @ w[p + "self_attn.k_proj.weight"].T
        v = r @ w[p + "self_attn.v_proj.weight"].T
        if bias:  # Qwen2: biases on q, k, v (not on o)
            q, k, v = q + w[p + "self_attn.q_proj.bias"], k + w[p + "self_attn.k_proj.bias"], v + w[p + "self_attn.v_proj.bias"]
        q = q.view(1, t, h, hd).transpose(1, 2)
        k = k.view(1, t, kvh, hd).transpose(1, 2)
        v = v.view(1, t, kvh, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(h // kvh, dim=1)
        v = v.repeat_interleave(h // kvh, dim=1)
        scores = q @ k.transpose(2, 3) / (hd ** 0.5) + mask
        attn = torch.softmax(scores, dim=-1) @ v
        x = x + attn.transpose(1, 2).reshape(1, t, h * hd) @ w[p + "self_attn.o_proj.weight"].T
        r = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        if cfg["architectures"][0] == "MixtralForCausalLM":
            x = x + sparse_moe(cfg, w, p, r)
        else:
            gate = torch.nn.functional.silu(r @ w[p + "mlp.gate_proj.weight"].T)
            x = x + (gate * (r @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return (x @ head.T)[0]
