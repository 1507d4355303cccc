#!/usr/bin/env bash
# Creates (once per requirements digest) the Python reference environment and prints its interpreter's path.
# Reused between runs while requirements.txt and requirements-nodeps.txt are unchanged: ${KANSOKU_CACHE:-~/.cache/kansoku}/pyref-<digest>.
# Usage: export KANSOKU_REFERENCE_PYTHON="$(bash src/test/python/reference-env.sh)"
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
req="$here/requirements.txt"
nodeps="$here/requirements-nodeps.txt"
digest="$(cat "$req" "$nodeps" | sha256sum | cut -c1-12)"
env="${KANSOKU_CACHE:-$HOME/.cache/kansoku}/pyref-$digest"
python="${KANSOKU_BASE_PYTHON:-python3}"
if [ ! -x "$env/bin/python" ] || [ ! -f "$env/.complete" ]; then
  rm -rf "$env"
  mkdir -p "$(dirname "$env")"
  "$python" -m venv "$env" >&2
  # one retry: an index that cannot be reached is left quickly for the next one configured
  "$env/bin/pip" install --quiet --disable-pip-version-check --retries "${PIP_RETRIES:-1}" -r "$req" >&2
  "$env/bin/pip" install --quiet --disable-pip-version-check --retries "${PIP_RETRIES:-1}" --no-deps -r "$nodeps" >&2
  touch "$env/.complete"
fi
echo "$env/bin/python"
