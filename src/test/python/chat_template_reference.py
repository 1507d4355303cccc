"""Renders chat-template cases with transformers itself, the reference for Kansoku's Jinja renderer.

Input: a JSON list of cases, each {"id", "messages", "add_generation_prompt", "continue_final_message",
"tools", "documents", "variables"} plus either "template" (rendered by transformers' render_jinja_template, the
function apply_chat_template calls, with "variables" as the special tokens and extra kwargs) or "tokenizer_dir"
(a tokenizer that AutoTokenizer loads; apply_chat_template renders with the tokenizer's own special tokens and
also tokenizes). Output: {id: {"text", "ids"?} | {"error": exception class, "message"}}.
"""
import json
import sys

from transformers import AutoTokenizer
from transformers.utils.chat_template_utils import render_jinja_template


def render(case, tokenizers):
    common = dict(
        tools=case.get("tools"),
        documents=case.get("documents"),
        add_generation_prompt=case.get("add_generation_prompt", False),
        continue_final_message=case.get("continue_final_message", False),
    )
    if case.get("tokenizer_dir"):
        d = case["tokenizer_dir"]
        if d not in tokenizers:
            tokenizers[d] = AutoTokenizer.from_pretrained(d)
        tok = tokenizers[d]
        text = tok.apply_chat_template(case["messages"], tokenize=False, **common, **case.get("variables", {}))
        ids = tok.apply_chat_template(case["messages"], tokenize=True, return_dict=False, **common, **case.get("variables", {}))
        return {"text": text, "ids": list(ids), "special_tokens": tok.special_tokens_map}
    rendered, _ = render_jinja_template(conversations=[case["messages"]], chat_template=case["template"], **common,
                                        **case.get("variables", {}))
    return {"text": rendered[0]}


def main():
    cases = json.load(open(sys.argv[1], encoding="utf-8"))
    out = {}
    tokenizers = {}
    for case in cases:
        try:
            out[case["id"]] = render(case, tokenizers)
        except Exception as e:  # the error itself is the reference's answer for that case
            out[case["id"]] = {"error": type(e).__name__, "message": str(e)}
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
