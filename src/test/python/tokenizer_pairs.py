"""lm-evaluation-harness' _encode_pair (v0.4.2 TemplateLM) run with the tokenizers library on real tokenizers: the
reference for RealTokenizerPairsTest. For every pair of a JSON Lines file ({"context", "continuation",
"add_special_tokens"}) and every tokenizer directory (tokenizer.json), writes the SHA-256 of
"<context ids>|<continuation ids>" (ids joined by commas) and the two lengths. Also encodes each pair with
transformers' AutoTokenizer (the installed version) and counts where it disagrees with the tokenizers library.

usage: tokenizer_pairs.py --pairs FILE --out FILE DIR [DIR ...]
"""

import argparse
import hashlib
import json
import os
import sys

from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness_rules import encode_pair  # noqa: E402


def digest(ctx, cont):
    return hashlib.sha256((",".join(map(str, ctx)) + "|" + ",".join(map(str, cont))).encode()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    with open(args.pairs, encoding="utf-8") as f:
        pairs = [json.loads(line) for line in f]
    out = {}
    for d in args.dirs:
        tok = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
        auto = None
        try:
            import transformers
            auto = transformers.AutoTokenizer.from_pretrained(d)
        except Exception as e:  # the library's own rule is the reference; AutoTokenizer is only compared
            print(d, "AutoTokenizer unavailable:", e, file=sys.stderr)
        rows, auto_differs, example = [], 0, None
        for p in pairs:
            special = p["add_special_tokens"]
            ctx, cont = encode_pair(tok, p["context"], p["continuation"], special)
            rows.append([digest(ctx, cont), len(ctx), len(cont)])
            if auto is not None:
                # the same rule through transformers' AutoTokenizer (encode gives plain id lists)
                context = p["context"].rstrip()
                continuation = p["context"][len(context):] + p["continuation"]
                a_whole = auto.encode(context + continuation, add_special_tokens=special)
                a_ctx = auto.encode(context, add_special_tokens=special)
                if a_ctx != ctx or a_whole[len(a_ctx):] != cont:
                    auto_differs += 1
                    if example is None:
                        example = dict(context=context[-80:], continuation=continuation[:80], library=ctx[-8:] + ["|"] + cont[:8],
                                       auto_tokenizer=a_ctx[-8:] + ["|"] + a_whole[len(a_ctx):][:8])
        out[os.path.basename(os.path.dirname(d.rstrip("/"))) or d] = dict(pairs=rows, auto_tokenizer_differs=auto_differs,
                                                                          auto_tokenizer_example=example)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)


if __name__ == "__main__":
    sys.exit(main())
