"""transformers' own scores on a checkpoint directory, given token ids: the reference for StudyModelsTransformersTest
and check_model_parity.py.

``score(dir, pairs, prompts, new_tokens)`` loads the checkpoint with ``AutoModelForCausalLM.from_pretrained`` in float32
with eager attention (bf16 and fp16 weights widen exactly) and returns, per (context ids, continuation ids) pair, the
sum of the continuation's log-probabilities and whether every continuation token is the argmax (the harness'
is_greedy), and per prompt the greedy ids of ``generate()`` (its KV cache; it stops at the checkpoint's eos ids, as Kansoku does).

``--serve`` reads one JSON request per line on stdin ({"dir", "pairs", "prompts", "new_tokens"}) and answers one JSON
line each, so that one process (one torch import) serves a whole test.
"""

import json
import sys

import torch
from transformers import AutoModelForCausalLM


def score(model_dir, pairs, prompts, new_tokens):
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager").eval()
    out = {"loglikelihood": [], "greedy": [], "generated": []}
    with torch.no_grad():
        for ctx, cont in pairs:
            ids = torch.tensor([(ctx + cont)[:-1]])
            logits = model(ids).logits[0, -len(cont):].double()
            target = torch.tensor(cont)
            out["loglikelihood"].append(torch.log_softmax(logits, -1)[torch.arange(len(cont)), target].sum().item())
            out["greedy"].append(bool((logits.argmax(-1) == target).all().item()))
        for ids in prompts:
            gen = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                 max_new_tokens=new_tokens, do_sample=False, pad_token_id=0)
            out["generated"].append(gen[0, len(ids):].tolist())
    del model
    return out


def serve():
    torch.set_num_threads(2)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            res = score(req["dir"], req["pairs"], req["prompts"], req["new_tokens"])
        except Exception as e:  # the test shows the reference's error beside the case
            res = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(res), flush=True)


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    serve()
