"""The records each Hugging Face Hub dataset of the suite holds, read from the original published files.

Each loader follows the Hub dataset's own builder (field names, types, split names, record order), so the
frameworks receive what `datasets.load_dataset` would give them. Paths come from the environment:
KANSOKU_SHARED (../shared/benchmarks), KANSOKU_FIXTURES (src/test/resources/fixtures) and
HELLASWAG_SOURCE ("dump": the bundled lossy text dump, "jsonl": the fixture in the published JSONL format).
"""
import bz2
import csv
import json
import os

SHARED = os.environ.get("KANSOKU_SHARED", "../shared/benchmarks")
FIX = os.environ.get("KANSOKU_FIXTURES", "src/test/resources/fixtures")


def _jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def openbookqa(name):
    # allenai/openbookqa "main": id, question_stem, choices {text, label}, answerKey (Data/Main/*.jsonl)
    def conv(d):
        return {"id": d["id"], "question_stem": d["question"]["stem"],
                "choices": {"text": [c["text"] for c in d["question"]["choices"]],
                            "label": [c["label"] for c in d["question"]["choices"]]},
                "answerKey": d["answerKey"]}
    return {"train": [conv(d) for d in _jsonl(f"{SHARED}/openbookqa/train.jsonl")],
            "test": [conv(d) for d in _jsonl(f"{SHARED}/openbookqa/test.jsonl")],
            "validation": []}


def hellaswag(name):
    if os.environ.get("HELLASWAG_SOURCE", "dump") == "jsonl":
        def conv(d):
            return {"ind": d["ind"], "activity_label": d["activity_label"], "ctx_a": d["ctx_a"], "ctx_b": d["ctx_b"],
                    "ctx": d["ctx"], "endings": d["endings"], "source_id": d["source_id"], "split": d["split"],
                    "split_type": d["split_type"], "label": str(d["label"])}
        return {"train": [conv(d) for d in _jsonl(f"{FIX}/hellaswag/hellaswag_train.jsonl")],
                "validation": [conv(d) for d in _jsonl(f"{FIX}/hellaswag/hellaswag_val.jsonl")]}
    # The dump keeps "activity_label: ctx" on one line: the label is split off at the first ": ", the rest is
    # ctx_a with an empty ctx_b (the ctx_a/ctx_b boundary is lost in the dump).
    lines = bz2.open(f"{SHARED}/hellaswag/hellaswag_val_full.txt.bz2", "rt", encoding="utf-8").read().split("\n")
    docs = []
    for i in range(0, len(lines) - 5, 6):
        label, _, ctx = lines[i].partition(": ")
        docs.append({"ind": i // 6, "activity_label": label, "ctx_a": ctx, "ctx_b": "", "ctx": ctx,
                     "endings": lines[i + 2:i + 6], "source_id": "", "split": "val", "split_type": "",
                     "label": lines[i + 1].strip()})
    # no training split in the dump: lm-eval's training_split "train" then reads the validation records
    return {"train": docs, "validation": docs}


MMLU_SPLITS = {"test": "test", "dev": "dev"}


def mmlu(name):
    # hails/mmlu_no_train (a copy of cais/mmlu): question, subject, choices, answer (ClassLabel A-D -> 0-3)
    out = {}
    for split, folder in MMLU_SPLITS.items():
        with open(f"{SHARED}/mmlu/{folder}/{name}_{folder}.csv", encoding="utf-8", newline="") as f:
            out[split] = [{"question": r[0], "subject": name, "choices": r[1:5], "answer": "ABCD".index(r[5])}
                          for r in csv.reader(f)]
    out["validation"] = []
    return out


def gsm8k(name):
    return {"train": _jsonl(f"{SHARED}/gsm8k/train.jsonl"), "test": _jsonl(f"{SHARED}/gsm8k/test.jsonl")}


def bbh(name):
    with open(f"{SHARED}/bbh/bbh/{name}.json", encoding="utf-8") as f:
        return {"test": [{"input": e["input"], "target": e["target"]} for e in json.load(f)["examples"]]}


def trivia_qa(name):
    # trivia_qa rc.nocontext from qa/<source>-<split>.json (fixtures: the wikipedia files only)
    def conv(q):
        a = q["Answer"]
        return {"question": q["Question"], "question_id": q["QuestionId"] if "QuestionId" in q else "",
                "question_source": q.get("QuestionSource", ""), "entity_pages": {}, "search_results": {},
                "answer": {"aliases": a["Aliases"], "normalized_aliases": a.get("NormalizedAliases", []),
                           "matched_wiki_entity_name": a.get("MatchedWikiEntityName", ""),
                           "normalized_matched_wiki_entity_name": a.get("NormalizedMatchedWikiEntityName", ""),
                           "normalized_value": a.get("NormalizedValue", ""), "type": a.get("Type", ""),
                           "value": a.get("Value", "")}}
    read = lambda split: [conv(q) for q in json.load(open(f"{FIX}/triviaqa/qa/wikipedia-{split}.json", encoding="utf-8"))["Data"]]
    return {"train": read("train"), "validation": read("dev")}


def squad_v2(name):
    def flat(path):
        out = []
        for article in json.load(open(path, encoding="utf-8"))["data"]:
            for p in article["paragraphs"]:
                for q in p["qas"]:
                    out.append({"id": q["id"], "title": article["title"], "context": p["context"],
                                "question": q["question"],
                                "answers": {"text": [a["text"] for a in q["answers"]],
                                            "answer_start": [a["answer_start"] for a in q["answers"]]}})
        return out
    return {"train": flat(f"{FIX}/squad2/train-v2.0.json"), "validation": flat(f"{FIX}/squad2/dev-v2.0.json")}


PTB_QUOTES = {"``": ['"', "\u201c"], "''": ['"', "\u201d"], "-LRB-": ["("], "-RRB-": [")"]}


def xwinograd(name):
    # Muennighoff/xwinograd <lang>: sentence (pronoun span replaced by "_"), option1, option2, answer "1"/"2",
    # converted from yandex-research/crosslingual_winograd dataset.tsv (the Hub conversion script is not public)
    docs = []
    with open(f"{SHARED}/xwino_en/dataset.tsv", encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 7 or cols[0] != name:
                continue
            sentence, tokens, pronoun, cands = cols[3], json.loads(cols[4]), json.loads(cols[5]), json.loads(cols[6])
            starts, ends, pos = [], [], 0
            for tok in tokens:
                at, matched = sentence.find(tok, pos), tok
                for alt in PTB_QUOTES.get(tok, []):
                    if at >= 0:
                        break
                    at, matched = sentence.find(alt, pos), alt
                starts.append(at)
                ends.append(at + len(matched))
                pos = at + len(matched)
            first, end = pronoun[1]
            docs.append({"sentence": sentence[:starts[first]] + "_" + sentence[ends[end - 1]:],
                         "option1": cands[0][0], "option2": cands[1][0],
                         "answer": "1" if cands[0][3] else "2"})
    return {"test": docs}


def mgsm(name):
    # juletxara/mgsm <lang>: test from mgsm_<lang>.tsv (question, answer_number; answer None), train from the
    # exemplars (question "問題：…", answer "ステップごとの答え：…"). exemplars.py holds Python literals: it is read
    # with ast.literal_eval, never executed.
    import ast
    test = []
    with open(f"{SHARED}/mgsm_ja/mgsm_{name}.tsv", encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if line:
                q, a = line.split("\t")
                test.append({"question": q, "answer": None, "answer_number": int(a.replace(",", "")),
                             "equation_solution": None})
    tree = ast.parse(open(f"{SHARED}/mgsm_ja/exemplars.py", encoding="utf-8").read())
    train = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            value = ast.literal_eval(node.value)
            if isinstance(value, dict) and name in value and isinstance(value[name], dict):
                for ex in value[name].values():
                    train.append({"question": ex["q"], "answer": ex["a"], "answer_number": None,
                                  "equation_solution": None})
                break
    return {"train": train, "test": test}


def xlsum_ja(name):
    # mkshing/xlsum_ja: the Japanese part of csebuetnlp/xlsum (fixtures: test and train only)
    return {"train": _jsonl(f"{FIX}/xlsum_ja/train.jsonl"), "validation": [],
            "test": _jsonl(f"{FIX}/xlsum_ja/test.jsonl")}


def humaneval(folder, file):
    import gzip
    with gzip.open(f"{SHARED}/{folder}/{file}", "rt", encoding="utf-8") as f:
        return {"test": [json.loads(line) for line in f if line.strip()]}


LOADERS = {"openai_humaneval": lambda name: humaneval("humaneval", "HumanEval.jsonl.gz"),
           "kogi-jwu/jhumaneval": lambda name: humaneval("jhumaneval", "jhuman-eval.jsonl.gz"),
           "juletxara/mgsm": mgsm, "mkshing/xlsum_ja": xlsum_ja, "openbookqa": openbookqa, "hellaswag": hellaswag, "hails/mmlu_no_train": mmlu, "gsm8k": gsm8k,
           "lukaemon/bbh": bbh, "trivia_qa": trivia_qa, "squad_v2": squad_v2, "Muennighoff/xwinograd": xwinograd}


# the same datasets under the Hub names lm-evaluation-harness 0.4.13 uses (its chat-template prompts are checked
# against that version, the one the reference environment installs)
LOADERS.update({"allenai/openbookqa": openbookqa, "cais/mmlu": mmlu, "openai/gsm8k": gsm8k})


def load(path, name, **kwargs):
    if path not in LOADERS:
        raise KeyError(f"no local files for Hub dataset {path!r} (name {name!r})")
    return LOADERS[path](name)
