#!/usr/bin/env bash
# Renders the goldens of every bundled task with the reference frameworks' own code (see README.md).
#   src/test/python/framework_prompts/render_all.sh LM_EVAL_V042 SWALLOW_V202407 OUT_DIR [SHARED] [FIXTURES]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
lm_eval="$(cd "$1" && pwd)"; swallow="$(cd "$2" && pwd)"; mkdir -p "$3"; out="$(cd "$3" && pwd)"
export KANSOKU_SHARED="$(cd "${4:-$repo/../shared/benchmarks}" && pwd)"
export KANSOKU_FIXTURES="$(cd "${5:-$repo/src/test/resources/fixtures}" && pwd)"
py=/usr/bin/python3   # Debian's python3 with python3-jinja2, -yaml, -numpy, -packaging, -pycountry, -xmltodict
cd "$here"
"$py" render_lm_eval.py "$lm_eval" "$out"
"$py" render_jp_harness.py "$swallow" "$out"
"$py" render_llm_jp_eval.py "$swallow" "$out"
"$py" render_bigcode.py "$swallow" "$out"
