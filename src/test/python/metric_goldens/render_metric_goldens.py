#!/usr/bin/env python3
"""Goldens for MetricParityTest, computed by the reference implementations themselves.

    python3 render_metric_goldens.py SACREBLEU_CHECKOUT ROUGE_DIR SHARED_BENCHMARKS > metrics.json

SACREBLEU_CHECKOUT is mjpost/sacrebleu at tag v2.5.1 (its `ja-mecab` tokenizer is unchanged since 2.0);
it runs on Debian's python3-mecab with the system IPADIC. The `ipadic` pip package only names the dictionary
folder, so a one-line stand-in points at /var/lib/mecab/dic/ipadic-utf8 (IPADIC 2.7.0-20070801, the same
release). Debian's build holds 392,127 entries where pip's holds 392,126, so TokenizerJaMecab's size assertion
is the one line not run: the tokenizer object is made without __init__ and given the same Tagger.
ROUGE_DIR holds rouge_ref.py: rouge_score's tokenize.tokenize, _create_ngrams, _score_ngrams and
scoring.fmeasure (google-research/rouge), taken verbatim outside this repository.

Cases: hand-written English pairs for ROUGE-2, and WMT20 en->ja references (the first 200) as references with
hypotheses derived from them deterministically (every 7th character dropped, sentences 3k+1 replaced by the
next reference) for Japanese corpus BLEU.
"""
import json
import sys
import types

SACREBLEU, ROUGE, SHARED = sys.argv[1], sys.argv[2], sys.argv[3]
sys.modules["ipadic"] = types.SimpleNamespace(MECAB_ARGS="-r /etc/mecabrc -d /var/lib/mecab/dic/ipadic-utf8")
sys.path.insert(0, SACREBLEU)
sys.path.insert(0, ROUGE)
import sacrebleu  # noqa: E402
import rouge_ref  # noqa: E402

ROUGE_CASES = [
    ("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log."),
    ("The Cat-sat on the MAT!", "the cat sat on the mat"),
    ("U.S. GDP grew 3.5% in Q2, beating forecasts.", "US GDP grew 3.5 percent in Q2"),
    ("Café owners in São Paulo protested new taxes.", "Cafe owners in Sao Paulo protested taxes"),
    ("", "anything at all"),
    ("one", "one"),
    ("It's a well-known fact: e-mail isn't dead.", "it s a well known fact email isn t dead"),
    ("Prices rose 10% year-on-year, the ONS said on Tuesday.", "The ONS said on Tuesday that prices rose by 10 percent."),
]

refs = [l.rstrip("\n") for l in open(f"{SHARED}/wmt20_en_ja/newstest2020.ja", encoding="utf-8")][:200]
hyps = []
for i, r in enumerate(refs):
    h = refs[(i + 1) % len(refs)] if i % 3 == 1 else "".join(c for j, c in enumerate(r) if j % 7 != 6)
    hyps.append(h)

import MeCab  # noqa: E402
from sacrebleu.metrics import BLEU  # noqa: E402
from sacrebleu.tokenizers.tokenizer_ja_mecab import TokenizerJaMecab  # noqa: E402

mecab = TokenizerJaMecab.__new__(TokenizerJaMecab)
mecab.tagger = MeCab.Tagger(sys.modules["ipadic"].MECAB_ARGS + " -Owakati")  # TokenizerJaMecab.__init__ line 1
bleu = BLEU()  # corpus_bleu's defaults
bleu.tokenizer = mecab  # what BLEU(tokenize="ja-mecab") would hold

out = {
    "rouge2_en": [{"reference": t, "prediction": p, "fmeasure": rouge_ref.rouge2(t, p)} for t, p in ROUGE_CASES],
    "bleu_ja_mecab": {
        "sacrebleu": sacrebleu.__version__,
        "hypotheses": hyps,
        "references": refs,
        "score": bleu.corpus_score(hyps, [refs]).score,
        "reference_tokens": [mecab(r).split() for r in refs],
        "hypothesis_tokens": [mecab(h).split() for h in hyps],
    },
}
# the JP harness' XL-Sum aggregation: rouge_score's BootstrapAggregator (scoring.py _bootstrap_resample, numpy's
# legacy global RNG seeded 1234 by lm_eval.evaluator.simple_evaluate), run here with numpy on made-up F values
import numpy as np  # noqa: E402

fs = [((i * 7919) % 1000) / 1000.0 for i in range(37)]
np.random.seed(1234)
first_draws = np.random.choice(np.arange(37), size=37).tolist()
np.random.seed(1234)
matrix = np.array([[f, f, f] for f in fs])
sample_mean = np.zeros((1000, 3))
for i in range(1000):
    sample_idx = np.random.choice(np.arange(matrix.shape[0]), size=matrix.shape[0])
    sample_mean[i, :] = np.mean(matrix[sample_idx, :], axis=0)
mid = np.percentile(sample_mean, 100 * np.array([0.025, 0.5, 0.975]), axis=0)[1, 2]
out["jp_harness_bootstrap"] = {"numpy": np.__version__, "f": fs, "first_draws_n37": first_draws, "mid_fmeasure": float(mid)}
json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
