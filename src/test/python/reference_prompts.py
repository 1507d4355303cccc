#!/usr/bin/env python3
"""Golden prompts for PromptGoldensTest: an independent transcription of how each reference framework builds
its prompts (lm-evaluation-harness v0.4.2 ConfigurableTask + ContextSampler, the JP LM Evaluation Harness
9b42d41 evaluator + Task.fewshot_context, llm-jp-eval v1.3.0 jmmlu.py + get_evaluation_prompt), run with
CPython's own `random` on the published files. Run once; the output is committed:

    python3 src/test/python/reference_prompts.py ../shared/benchmarks src/test/resources/fixtures \
        > src/test/resources/goldens/prompts.json

It never imports Kansoku code. Each task lists its first requests in the framework's evaluation order.
"""
import bz2, csv, io, json, os, random, re, sys

SHARED, FIX = sys.argv[1], sys.argv[2]
N = 3  # examples per task


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def req(ctx, cont=None, gold=None):
    return {"context": ctx, "continuation": cont, "gold": gold}


# ---------- lm-evaluation-harness v0.4.2 ----------
def lm_eval(docs, pool, text, target, n_shots, description=lambda d: "", choices=None, gold=None,
            first_n=None, target_delim=" ", fewshot_delim="\n\n", limit=N, extra=None):
    rnd = random.Random(1234)
    out = []
    for doc in docs[:limit]:
        if n_shots == 0:
            labeled = description(doc)
        else:
            ex = first_n(doc)[:n_shots] if first_n else rnd.sample(pool, n_shots)
            sel = [x for x in ex if x != doc][:n_shots]
            labeled = description(doc) + fewshot_delim.join(text(d) + target_delim + target(d) for d in sel) + fewshot_delim
        ctx = labeled + text(doc)
        if choices:
            for c in choices(doc):
                out.append(req(ctx, target_delim + c, str(gold(doc))))
        else:
            out.append(req(ctx, None, gold(doc)))
            if extra:
                out.append(req(ctx, extra, gold(doc)))
    return out


def openbookqa():
    conv = lambda d: {"id": d["id"], "question_stem": d["question"]["stem"],
                      "choices": {"text": [c["text"] for c in d["question"]["choices"]], "label": [c["label"] for c in d["question"]["choices"]]},
                      "answerKey": d["answerKey"]}
    test = [conv(d) for d in jsonl(f"{SHARED}/openbookqa/test.jsonl")]
    train = [conv(d) for d in jsonl(f"{SHARED}/openbookqa/train.jsonl")]
    g = lambda d: d["choices"]["label"].index(d["answerKey"].lstrip())
    return lm_eval(test, train, lambda d: d["question_stem"], lambda d: d["choices"]["text"][g(d)], 4,
                   choices=lambda d: d["choices"]["text"], gold=g)


def hs_pre(text):
    text = text.strip()
    text = text.replace(" [title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    return text.replace("  ", " ")


def hellaswag_jsonl():
    def proc(d):
        ctx = d["ctx_a"] + " " + d["ctx_b"].capitalize()
        return {"query": hs_pre(d["activity_label"] + ": " + ctx), "choices": [hs_pre(e) for e in d["endings"]], "gold": int(d["label"])}
    val = [proc(d) for d in jsonl(f"{FIX}/hellaswag/hellaswag_val.jsonl")]
    train = [proc(d) for d in jsonl(f"{FIX}/hellaswag/hellaswag_train.jsonl")]
    return lm_eval(val, train, lambda d: d["query"], lambda d: d["choices"][d["gold"]], 1,
                   choices=lambda d: d["choices"], gold=lambda d: d["gold"])


def hellaswag_text():
    lines = bz2.open(f"{SHARED}/hellaswag/hellaswag_val_full.txt.bz2", "rt", encoding="utf-8").read().split("\n")
    docs = [{"query": hs_pre(lines[i]), "choices": [hs_pre(e) for e in lines[i + 2:i + 6]], "gold": int(lines[i + 1])}
            for i in range(0, len(lines) - 5, 6)]
    return lm_eval(docs, docs, lambda d: d["query"], lambda d: d["choices"][d["gold"]], 4,
                   choices=lambda d: d["choices"], gold=lambda d: d["gold"])


def mmlu():
    out = []
    for subj in ["abstract_algebra", "anatomy"]:
        rd = lambda split: [{"question": r[0], "choices": r[1:5], "answer": "ABCD".index(r[5])}
                            for r in csv.reader(open(f"{SHARED}/mmlu/{split}/{subj}_{split}.csv", encoding="utf-8", newline=""))]
        test, dev = rd("test"), rd("dev")
        text = lambda d: f"{d['question'].strip()}\nA. {d['choices'][0]}\nB. {d['choices'][1]}\nC. {d['choices'][2]}\nD. {d['choices'][3]}\nAnswer:"
        desc = f"The following are multiple choice questions (with answers) about {subj.replace('_', ' ')}.\n\n"
        out += lm_eval(test, dev, text, lambda d: "ABCD"[d["answer"]], 5, description=lambda d: desc,
                       choices=lambda d: ["A", "B", "C", "D"], gold=lambda d: d["answer"], first_n=lambda d: dev, limit=2)
    return out


def gsm8k():
    test, train = jsonl(f"{SHARED}/gsm8k/test.jsonl"), jsonl(f"{SHARED}/gsm8k/train.jsonl")
    return lm_eval(test, train, lambda d: f"Question: {d['question']}\nAnswer:", lambda d: d["answer"], 4, gold=lambda d: d["answer"])


def bbh():
    out = []
    for task in ["boolean_expressions", "causal_judgement"]:
        prompt = open(f"{SHARED}/bbh/cot-prompts/{task}.txt", encoding="utf-8").read().split("\n-----\n")[-1]
        description, *few_shot = prompt.split("\n\n")
        # _generate_configs.py (cot, fewshot): description + "\n\n"; doc_to_text = shots + "Q: {{input}}\nA: Let's think step by step.\n"
        doc_to_text = "\n\n".join(few_shot) + "\n\n" + "Q: {{input}}\nA:" + " Let's think step by step.\n"
        docs = json.load(open(f"{SHARED}/bbh/bbh/{task}.json", encoding="utf-8"))["examples"]
        out += lm_eval(docs, [], lambda d: doc_to_text.replace("{{input}}", d["input"]), None, 0,
                       description=lambda d: description + "\n\n", gold=lambda d: d["target"], limit=2)
    return out


def triviaqa():
    conv = lambda q: {"question": q["Question"], "answer": {"aliases": q["Answer"]["Aliases"]}}
    dev = [conv(q) for q in json.load(open(f"{FIX}/triviaqa/qa/wikipedia-dev.json"))["Data"]]
    train = [conv(q) for q in json.load(open(f"{FIX}/triviaqa/qa/wikipedia-train.json"))["Data"]]
    return lm_eval(dev, train, lambda d: f"Question: {d['question']}?\nAnswer:", lambda d: str(d["answer"]["aliases"][0]), 4,
                   gold=lambda d: "\u001f".join(d["answer"]["aliases"]))


def squad2():
    def flat(path):
        out = []
        for a in json.load(open(path))["data"]:
            for p in a["paragraphs"]:
                for q in p["qas"]:
                    out.append({"id": q["id"], "title": a["title"], "context": p["context"], "question": q["question"],
                                "answers": {"text": [x["text"] for x in q["answers"]]}})
        return out
    dev, train = flat(f"{FIX}/squad2/dev-v2.0.json"), flat(f"{FIX}/squad2/train-v2.0.json")
    text = lambda d: "Title: " + d["title"] + "\n\n" + "Background: " + d["context"] + "\n\n" + "Question: " + d["question"] + "\n\n" + "Answer:"
    target = lambda d: " " + (d["answers"]["text"][0] if d["answers"]["text"] else "unanswerable")
    return lm_eval(dev, train, text, target, 4, gold=lambda d: "\u001f".join(d["answers"]["text"]), extra=" " + "unanswerable")


# ---------- JP LM Evaluation Harness 9b42d41 (lm-eval 0.3 base) ----------
def jp_harness(test_docs, train_docs, text, target, k, description="", sep="\n\n", limit=N, gold=None):
    docs = list(test_docs)
    rnd = random.Random()
    rnd.seed(42)
    rnd.shuffle(docs)
    out = []
    for doc in docs[:limit]:
        if train_docs is not None:
            ex = rnd.sample(train_docs, k)
        else:
            ex = [x for x in rnd.sample(list(test_docs), k + 1) if x != doc][:k]
        labeled = sep.join(text(d) + target(d) for d in ex) + sep
        out.append(req(description + labeled + text(doc), None, gold(doc)))
    return out


def mgsm():
    test = [{"question": q, "answer": None, "answer_number": int(a.replace(",", ""))}
            for q, a in (l.split("\t") for l in open(f"{SHARED}/mgsm_ja/mgsm_ja.tsv", encoding="utf-8").read().split("\n") if l)]
    ns = {}
    exec(compile(open(f"{SHARED}/mgsm_ja/exemplars.py", encoding="utf-8").read(), "exemplars.py", "exec"), ns)
    ex = next(v for v in ns.values() if isinstance(v, dict) and "ja" in v)["ja"]
    train = [{"question": ex[k]["q"], "answer": ex[k]["a"]} for k in ex]
    return jp_harness(test, train, lambda d: f"問題：{d['question'].replace('問題：', '')}\nステップごとの答え：",
                      lambda d: "" + d["answer"].replace("ステップごとの答え：", ""), 4, gold=lambda d: str(d["answer_number"]))


def wmt(src, ref, sl, tl):
    rd = lambda l: [line.rstrip() for line in open(f"{SHARED}/wmt20_{src}_{ref}/newstest2020.{l}", encoding="utf-8")]
    docs = [{"src": s, "ref": r} for s, r in zip(rd(src), rd(ref))]
    return jp_harness(docs, None, lambda d: f"{sl} phrase: " + d["src"] + f"\n{tl} phrase:", lambda d: " " + d["ref"], 4, gold=lambda d: d["ref"])


def xlsum():
    test, train = jsonl(f"{FIX}/xlsum_ja/test.jsonl"), jsonl(f"{FIX}/xlsum_ja/train.jsonl")
    return jp_harness(test, train, lambda d: f"ニュース記事:{d['text']}\n要約:", lambda d: d["summary"], 1,
                      description="与えられたニュース記事を要約してください。\n\n", gold=lambda d: d["summary"], limit=2)


# ---------- llm-jp-eval v1.3.0 ----------
JMMLU_FILES = ["econometrics", "human_aging", "high_school_psychology", "professional_medicine", "electrical_engineering", "college_mathematics", "medical_genetics", "formal_logic", "nutrition", "prehistory", "world_religions", "japanese_history", "high_school_geography", "international_law", "logical_fallacies", "human_sexuality", "philosophy", "college_medicine", "professional_accounting", "high_school_mathematics", "global_facts", "business_ethics", "high_school_chemistry", "college_physics", "high_school_statistics", "moral_disputes", "high_school_biology", "miscellaneous", "high_school_macroeconomics", "high_school_computer_science", "abstract_algebra", "elementary_mathematics", "jurisprudence", "security_studies", "high_school_physics", "college_computer_science", "public_relations", "management", "computer_security", "college_chemistry", "anatomy", "high_school_european_history", "machine_learning", "virology", "high_school_microeconomics", "astronomy", "world_history", "college_biology", "clinical_knowledge", "conceptual_physics", "professional_psychology", "sociology", "marketing"]


def jmmlu():
    dev_s, test_s = [], []
    random.seed(42)
    for name in JMMLU_FILES:
        with open(f"{SHARED}/jmmlu/JMMLU/{name}.csv", encoding="utf-8-sig") as f:
            samples = [{"input": f"質問：{r[0]}\n選択肢：A.{r[1]},B.{r[2]},C.{r[3]},D.{r[4]}", "output": r[5]}
                       for r in csv.reader(f, quoting=csv.QUOTE_ALL)]
        random.shuffle(samples)
        dev_s.extend(samples[: len(samples) // 2])
        test_s.extend(samples[len(samples) // 2:])
    random.shuffle(dev_s)
    random.shuffle(test_s)
    train = dev_s[:16] + test_s[:16]
    test = test_s[16:]
    instruction = "与えられた質問と選択肢から、最も適切な回答を選択してください。なお、回答には選択肢のアルファベット（例：A）のみを含め、他には何も含めないことを厳守してください。"
    system = f"以下は、タスクを説明する指示と、文脈のある入力の組み合わせです。要求を適切に満たす応答を書きなさい。\n\n### 指示:\n{instruction}"
    for s in train[:5]:
        system += f"\n\n### 入力:\n{s['input']}\n\n### 応答:\n{s['output']}"
    system += "\n\n### 入力:\n{input}\n\n### 応答:\n"
    return {"evaluated": len(test), "requests": [req(system.replace("{input}", d["input"]), None, d["output"]) for d in test[:N]]}


out = {
    "openbookqa": openbookqa(), "hellaswag_jsonl": hellaswag_jsonl(), "hellaswag": hellaswag_text(), "mmlu": mmlu(),
    "gsm8k": gsm8k(), "bbh": bbh(), "triviaqa": triviaqa(), "squad2": squad2(), "mgsm_ja": mgsm(),
    "wmt20_en_ja": wmt("en", "ja", "English", "Japanese"), "wmt20_ja_en": wmt("ja", "en", "Japanese", "English"),
    "xlsum_ja": xlsum(),
}
j = jmmlu()
out["jmmlu"] = j["requests"]
out["jmmlu_evaluated"] = j["evaluated"]
json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
