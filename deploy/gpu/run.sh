#!/usr/bin/env bash
# Runs the GPU kit's checks (deploy/gpu/README.md) from the repository root, with the kit build-kit.sh made:
#   deploy/gpu/run.sh [--cpu [--host-torch]] [--kit DIR] [--out DIR] [--quick]
# GPU mode (default): the host's own libtorch (python3's torch) under DJL's bundled cu128 JNI, or under a JNI rebuilt
# from the kit's DJL sources when the bundled one does not load; then gpu-check on GPU 0 with shape-true 1B and 8B
# checkpoints, and the same requests through transformers when it is installed. --cpu: the CPU libtorch from the
# Maven cache (no host torch needed), the bundled model and one layer of the 1B shape; CI runs this mode
# (GpuKitTest). --cpu --host-torch: the GPU mode's way on the CPU (python3's torch, DJL's bundled CPU JNI or a
# rebuilt one), to try a site libtorch without a GPU. Writes run.json, figures.json, hf.json (when run) and the logs to --out ($OUT by default).
set -euo pipefail
ROOT="$(pwd)"
KIT="$ROOT/target/gpu-kit"
OUTDIR="${OUT:-$ROOT/target/gpu-run}"
MODE=gpu
QUICK=""
HOST_TORCH=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) MODE=cpu; shift ;;
    --host-torch) HOST_TORCH=1; shift ;;
    --kit) KIT="$(cd "$2" && pwd)"; shift 2 ;;
    --out) OUTDIR="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    *) echo "run.sh: unknown argument '$1' (--cpu, --kit DIR, --out DIR, --quick)" >&2; exit 2 ;;
  esac
done
[ -f "$KIT/runtime.tar.gz" ] || { echo "run.sh: no kit at $KIT (deploy/gpu/build-kit.sh)" >&2; exit 2; }
mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
WORK="${KANSOKU_KIT_WORK:-$ROOT/target/gpu-work}"
mkdir -p "$WORK"
LOG="$OUTDIR/run.log"
: > "$LOG"
say() { echo "run.sh: $*" | tee -a "$LOG"; }
START=$(date +%s)

[ -x "$WORK/runtime/bin/java" ] || tar -C "$WORK" -xzf "$KIT/runtime.tar.gz"
JAVA="$WORK/runtime/bin/java"
CP="$KIT/lib/*"
export DJL_CACHE_DIR="$WORK/djl-cache"
JAVA_OPTS=(-Xmx16g -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch -Dorg.slf4j.simpleLogger.logFile=System.out
  -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss -Dorg.slf4j.simpleLogger.showThreadName=false
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED)
JNI_SOURCE="not used"
TORCH="maven cpu"

if [ "$MODE" = cpu ] && [ -z "$HOST_TORCH" ]; then
  # the CPU libtorch DJL extracts from its Maven artifact (the kit leaves it out: a GPU host brings its own)
  native=$(find "${MAVEN_REPO:-$HOME/.m2/repository}/ai/djl/pytorch/pytorch-native-cpu" -name '*linux-x86_64.jar' 2>/dev/null | head -1)
  [ -n "$native" ] || { say "no pytorch-native-cpu jar in the Maven cache (run mvn package once)"; exit 3; }
  CP="$CP:$native"
  DEVICE=cpu
else
  # the host's own libtorch (python3's torch) under DJL's bundled JNI of the flavor, or one rebuilt against it
  if [ "$MODE" = cpu ]; then FLAVOR=cpu; DEVICE=cpu; else FLAVOR=cu128; DEVICE=0; fi
  TORCH_LIB="$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
  TORCH="$(python3 -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda)')"
  export PYTORCH_LIBRARY_PATH="$TORCH_LIB"
  # DJL looks for its JNI at <cache>/pytorch/<version>-<flavor>-<platform>/<djl version>-libdjl_torch.so: the version
  # and flavor it expects are the bundled JNI's, whatever the host's torch is
  export PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR="$FLAVOR"
  jni_dir="$DJL_CACHE_DIR/pytorch/2.7.1-$FLAVOR-linux-x86_64"
  mkdir -p "$jni_dir"
  JNI="$jni_dir/0.36.0-libdjl_torch.so"
  python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[3]))' \
    "$(ls "$KIT"/lib/pytorch-jni-*.jar)" "$JNI" "jnilib/linux-x86_64/$FLAVOR/libdjl_torch.so"
  JNI_SOURCE="bundled $FLAVOR (libtorch 2.7.1)"
  probe() {
    "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" dev.kansoku.cli.EngineCli loglik --model data/models/kansoku-tiny-llama --devices "$DEVICE" \
      --context "The capital of Japan is" --continuation " Tokyo" >> "$LOG" 2>&1
  }
  if ! probe; then
    say "the bundled JNI does not load against torch $TORCH: rebuilding it from the kit's DJL sources"
    if "$KIT/build-jni.sh" "$KIT" "$WORK" "$JNI" $([ "$MODE" = gpu ] && echo cuda) >> "$LOG" 2>&1 && probe; then
      JNI_SOURCE="rebuilt against the host's torch $TORCH"
    else
      JNI_SOURCE="failed: neither the bundled nor a rebuilt JNI loads (see run.log, jni-*.log)"
      cp "$WORK"/jni-*.log "$OUTDIR/" 2>/dev/null || true
    fi
  fi
fi
say "mode $MODE, device $DEVICE, torch $TORCH, JNI $JNI_SOURCE"

# the throughput check: a 1B and an 8B Llama shape (all layers) on a GPU; one layer of the 1B on the CPU
if [ "$MODE" = cpu ] || [ -n "$QUICK" ]; then
  BENCH=(--bench-configs deploy/gpu/tinyllama-1.1b-config.json --bench-layers 1 --bench-dtype fp32 --batches 1,4
    --context-tokens 128 --new-tokens 8)
else
  BENCH=(--bench-configs deploy/gpu/tinyllama-1.1b-config.json,conf/models/configs/meta-llama--Meta-Llama-3-8B.json
    --bench-layers 0 --bench-dtype bf16 --batches 1,8,32 --context-tokens 512 --new-tokens 64)
fi
set +e
"$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" dev.kansoku.cli.EngineCli gpu-check --device "$DEVICE" --out "$OUTDIR/figures.json" \
  --work-dir "$WORK/checkpoints" "${BENCH[@]}" 2>&1 | tee -a "$LOG"
status=${PIPESTATUS[0]}
set -e

# (c) the same requests through transformers' eager model on the same device
HF="skipped: python3 has no torch and transformers"
if python3 -c 'import torch, transformers, safetensors' 2>/dev/null; then
  if python3 "$KIT/hf_compare.py" --figures "$OUTDIR/figures.json" --device "$([ "$MODE" = cpu ] && echo cpu || echo cuda:0)" \
      --out "$OUTDIR/hf.json" >> "$LOG" 2>&1; then
    HF="ran: hf.json"
  else
    HF="failed: see run.log"
  fi
fi
say "transformers comparison: $HF"

cat > "$OUTDIR/run.json" <<JSON
{"mode": "$MODE", "device": "$DEVICE", "torch": "$TORCH", "jni": "$JNI_SOURCE", "transformers": "$HF",
 "gpu_check_exit": $status, "seconds": $(( $(date +%s) - START ))}
JSON
say "done in $(( $(date +%s) - START )) s: $OUTDIR/run.json"
exit "$status"
