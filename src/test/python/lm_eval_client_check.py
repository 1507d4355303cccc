"""lm-evaluation-harness's own `local-completions` client (lm_eval 0.4.13, `LocalCompletionsAPI`) against
`kansoku serve`, unchanged: log-likelihoods of (context, continuation) pairs and one generate_until request, with the
harness tokenizing locally ("huggingface": transformers' AutoTokenizer on the model directory) and through the server
("remote": its /tokenize, /detokenize and /tokenizer_info). Writes what the harness computed as JSON for
ServeLmEvalHarnessTest to compare with the engine.

usage: lm_eval_client_check.py --base-url URL/v1/completions --model NAME --tokenizer DIR --cases FILE --out FILE
"""

import argparse
import json
import sys

from lm_eval.api.instance import Instance
from lm_eval.models.openai_completions import LocalCompletionsAPI


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(args.cases) as f:
        cases = json.load(f)
    out = {}
    for backend in ("huggingface", "remote"):
        kw = dict(model=args.model, base_url=args.base_url, tokenizer_backend=backend, num_concurrent=1, max_retries=1,
                  max_length=512, seed=1234)
        if backend == "huggingface":
            kw["tokenizer"] = args.tokenizer
        lm = LocalCompletionsAPI(**kw)
        requests = [Instance(request_type="loglikelihood", doc={}, arguments=(c["context"], c["continuation"]), idx=i)
                    for i, c in enumerate(cases["loglikelihood"])]
        scores = lm.loglikelihood(requests, disable_tqdm=True)
        g = cases["generate"]
        gen = lm.generate_until([Instance(request_type="generate_until", doc={},
                                          arguments=(g["context"], {"until": g["until"], "max_gen_toks": g["max_gen_toks"]}),
                                          idx=0)], disable_tqdm=True)
        out[backend] = {"scores": [[repr(ll), bool(greedy)] for ll, greedy in scores], "generation": gen[0]}
    with open(args.out, "w") as f:
        json.dump(out, f, ensure_ascii=False)


if __name__ == "__main__":
    sys.exit(main())
