#!/usr/bin/env bash
# Rewrites src/test/resources/goldens/*.json (LlamaReferenceParityTest) with transformers' own logits on the same
# generated checkpoints. Run from the repository root; needs the Python reference environment.
set -euo pipefail
PY="${KANSOKU_REFERENCE_PYTHON:-$(bash src/test/python/reference-env.sh)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./kansoku make-tiny-model >/dev/null
"$PY" src/test/python/transformers_goldens.py data/models/kansoku-tiny-llama src/test/resources/goldens/tiny.json
while read -r golden folder seed extra; do
  mkdir -p "$work/$golden"
  cp "src/test/resources/$folder/config.json" "$work/$golden/"
  # shellcheck disable=SC2086
  ./kansoku make-tiny-model --dir "$work/$golden" --seed "$seed" --std 0.3 $extra >/dev/null
  "$PY" src/test/python/transformers_goldens.py "$work/$golden" "src/test/resources/goldens/$golden.json"
done <<'LIST'
variant llama-variant 7
mistral mistral-variant 11
qwen2 qwen2-variant 13
llama3 llama3-variant 17
mixtral mixtral-variant 19
cohere cohere-variant 23 --random-norms
gpt2 gpt2-variant 29 --random-norms
LIST
