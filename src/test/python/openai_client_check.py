"""Drives `kansoku serve` with the official `openai` Python client, as lm-evaluation-harness' local-completions and a
user's notebook would, and writes what came back as JSON (ServeOpenAiClientTest compares it with the engine).

For each case of --cases (a JSON list of {"context": [ids], "continuation": [ids]}): the 0.4.4+ request
(prompt [[ids]], max_tokens 1, logprobs 1, echo, temperature 0, seed) and the 0.4.3 one (max_tokens 0, logprobs 10),
each summed as the harness sums it (token_logprobs[ctxlen:-1] and token_logprobs[ctxlen:]) with is_greedy as the
harness decides it; then one generation with stop strings, the model list, and an error.

With --chat-template FILE and --model-dir DIR: conversations through client.chat.completions, each also rendered by
transformers' own apply_chat_template (the same template, the model's tokenizer) and sent as token ids to
client.completions; both answers and the rendered prompt are written.

usage: openai_client_check.py --base-url URL --model NAME --api-key KEY --cases FILE --out FILE
                              [--chat-template FILE --model-dir DIR]
"""

import argparse
import json
import sys

import openai


def harness_sum(choice, ctxlen, drop_last):
    """lm-evaluation-harness' parse_logprobs: the continuation's entries, is_greedy from the top entry."""
    lp = choice.logprobs
    end = -1 if drop_last else None
    values = lp.token_logprobs[ctxlen:end]
    tops = lp.top_logprobs[ctxlen:end]
    total = 0.0
    for v in values:
        total += v
    greedy = all(v == max(t.values()) for v, t in zip(values, tops))
    return total, greedy


CONVERSATIONS = [
    [{"role": "user", "content": "日本の首都はどこですか？"}],
    [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "What is 2 + 2?"},
     {"role": "assistant", "content": "4"}, {"role": "user", "content": "And 3 + 3?"}],
    [{"role": "user", "content": [{"type": "text", "text": "質問："}, {"type": "text", "text": "富士山の高さは？"}]}],
]


def chats(client, args):
    from transformers import AutoTokenizer

    template = open(args.chat_template, encoding="utf-8").read()
    tok = AutoTokenizer.from_pretrained(args.model_dir)
    results = []
    for messages in CONVERSATIONS:
        # the text parts joined by newlines, as the server's default (vLLM's "string") content format does
        flat = [dict(m, content="\n".join(p["text"] for p in m["content"])) if isinstance(m["content"], list) else m
                for m in messages]
        rendered = tok.apply_chat_template(flat, chat_template=template, tokenize=False, add_generation_prompt=True)
        ids = tok.apply_chat_template(flat, chat_template=template, tokenize=True, return_dict=False, add_generation_prompt=True)
        chat = client.chat.completions.create(model=args.model, messages=messages, max_tokens=12, temperature=0)
        plain = client.completions.create(model=args.model, prompt=list(ids), max_tokens=12, temperature=0)
        results.append({"rendered": rendered, "ids": list(ids), "chat": chat.choices[0].message.content,
                        "chat_role": chat.choices[0].message.role, "chat_finish": chat.choices[0].finish_reason,
                        "chat_prompt_tokens": chat.usage.prompt_tokens, "completion": plain.choices[0].text})
    lp = client.chat.completions.create(model=args.model, messages=CONVERSATIONS[0], max_tokens=6, temperature=0,
                                        logprobs=True, top_logprobs=2)
    content = lp.choices[0].logprobs.content
    results.append({"logprobs": [{"token": e.token, "logprob": e.logprob, "top": [t.logprob for t in e.top_logprobs],
                                  "bytes": e.bytes} for e in content],
                    "completion_tokens": lp.usage.completion_tokens, "content": lp.choices[0].message.content})
    try:
        client.chat.completions.create(model=args.model, messages=[{"role": "user", "content": "a"},
                                                                   {"role": "user", "content": "b"}], max_tokens=4)
        results.append({"refused": "accepted"})
    except openai.BadRequestError as e:
        results.append({"refused": e.body.get("message") if isinstance(e.body, dict) else str(e)})
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chat-template")
    ap.add_argument("--model-dir")
    args = ap.parse_args()
    client = openai.OpenAI(base_url=args.base_url, api_key=args.api_key, max_retries=0, timeout=120)
    out = {"client": openai.__version__, "scores": []}
    with open(args.cases) as f:
        cases = json.load(f)
    for case in cases:
        prompt = case["context"] + case["continuation"]
        ctxlen = len(case["context"])
        new = client.completions.create(model=args.model, prompt=[prompt], max_tokens=1, logprobs=1, echo=True,
                                        temperature=0, seed=1234)
        old = client.completions.create(model=args.model, prompt=[prompt], max_tokens=0, logprobs=10, echo=True,
                                        temperature=0)
        s_new, g_new = harness_sum(new.choices[0], ctxlen, True)
        s_old, g_old = harness_sum(old.choices[0], ctxlen, False)
        out["scores"].append({"new": repr(s_new), "new_greedy": g_new, "old": repr(s_old), "old_greedy": g_old,
                              "entries_new": len(new.choices[0].logprobs.token_logprobs)})
    gen = client.completions.create(model=args.model, prompt="吾輩は猫である。", max_tokens=24, temperature=0, stop=["。"],
                                    extra_body={"add_special_tokens": False})
    out["generation"] = {"text": gen.choices[0].text, "finish_reason": gen.choices[0].finish_reason,
                         "completion_tokens": gen.usage.completion_tokens}
    out["models"] = [m.id for m in client.models.list().data]
    try:
        client.completions.create(model=args.model, prompt="x", n=2)
        out["n2"] = "accepted"
    except openai.BadRequestError as e:
        out["n2"] = {"status": e.status_code, "param": e.body.get("param") if isinstance(e.body, dict) else None}
    if args.chat_template:
        out["chats"] = chats(client, args)
    with open(args.out, "w") as f:
        json.dump(out, f, ensure_ascii=False)


if __name__ == "__main__":
    sys.exit(main())
