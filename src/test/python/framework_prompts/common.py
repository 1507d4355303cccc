"""What every framework driver writes: one golden file per Kansoku task.

A request is identified by the digest of its text (context and continuation), the same digest
`dev.kansoku.task.PromptDigest` computes; the multiset of digests of a task is compared, so the order in which
a framework evaluates its documents does not matter, and any difference in a single character shows up.
The first requests are kept in full so that a failing comparison can show the text."""
import gzip
import hashlib
import json
import os
import sys
import types

SAMPLES = 3


def digest(kind, context, continuation):
    # kind, context and continuation joined by U+0001; a generation has no continuation (U+0002)
    text = kind + "\u0001" + context + "\u0001" + ("\u0002" if continuation is None else continuation)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def write_golden(out_dir, task_id, framework, requests, settings, special_tokens_rule):
    """requests: list of dicts {kind, context, continuation, until, max_new_tokens} in the framework's order."""
    os.makedirs(out_dir, exist_ok=True)
    generations = [r for r in requests if r["kind"] == "generate_until"]
    until = sorted({json.dumps(r.get("until") or [], ensure_ascii=False) for r in generations})
    max_new = sorted({r.get("max_new_tokens") or 0 for r in generations})
    golden = {
        "task": task_id,
        "framework": framework,
        "settings": settings,
        "add_special_tokens": special_tokens_rule["value"],
        "add_special_tokens_rule": special_tokens_rule["where"],
        "stop_sequences": [json.loads(u) for u in until],
        "max_new_tokens": max_new,
        "requests": len(requests),
        "samples": [{"kind": r["kind"], "context": r["context"], "continuation": r["continuation"]}
                    for r in requests[:SAMPLES]],
        "digests": sorted(digest(r["kind"], r["context"], r["continuation"]) for r in requests),
    }
    path = os.path.join(out_dir, task_id + ".json.gz")
    # mtime 0: the same requests always give the same bytes
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(json.dumps(golden, ensure_ascii=False, indent=0).encode("utf-8"))
    print(f"{task_id}: {len(requests)} requests from {framework} -> {path}", file=sys.stderr)


def use_standins(framework_root, package=None):
    """Put the stand-ins first on the path, then the framework's own source. With `package`, that package is
    registered without running its __init__ (which imports the evaluator, torch and every model backend);
    its submodules then import as usual."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, framework_root)
    sys.path.insert(0, os.path.join(here, "standins"))
    if package:
        module = types.ModuleType(package)
        module.__path__ = [os.path.join(framework_root, package)]
        sys.modules[package] = module
