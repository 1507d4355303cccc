#!/usr/bin/env bash
# Compiles DJL's PyTorch JNI (libdjl_torch.so, the sources build-kit.sh bundled) against the host's own libtorch,
# for a host whose PyTorch is not the release DJL's prebuilt JNI was linked with. CMake, a C++17 compiler and the
# host's torch (python3 -c 'import torch') are needed; the JNI header was generated when the kit was built (the
# kit's runtime has no javac).
#   build-jni.sh KIT_DIR WORK_DIR OUT_SO [cuda]
set -euo pipefail
KIT="$1"; WORK="$2"; OUT_SO="$3"; CUDA="${4:-}"
SRC="$KIT/djl-pytorch-native/engines/pytorch/pytorch-native"
[ -d "$SRC" ] || { echo "build-jni.sh: no JNI sources in the kit (build it with --djl-source)" >&2; exit 3; }
TORCH_CMAKE="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
TORCH_VERSION="$(python3 -c 'import torch; print(torch.__version__.split("+")[0])')"
BUILD="$WORK/jni-build"
rm -rf "$BUILD" "$WORK/jni-src"
cp -r "$KIT/djl-pytorch-native" "$WORK/jni-src"
SRC="$WORK/jni-src/engines/pytorch/pytorch-native"
# DJL 0.36 maps DJL data types to torch's without bfloat16 (ordinal 11): its default is a bare `throw;`, which
# ends the JVM (issue 15); a rebuilt JNI can know it
python3 - "$SRC/src/main/native/djl_pytorch_utils.h" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("    case 8:\n      return torch::kComplexFloat;\n", "    case 8:\n      return torch::kComplexFloat;\n    case 11:\n      return torch::kBFloat16;\n", 1)
open(p, "w").write(s)
PY
# as DJL's build.sh: these releases need the V1_13_X code paths
PT_VERSION=""
case "$TORCH_VERSION" in 1.13.*|2.0.*|2.1.*) PT_VERSION=V1_13_X ;; esac
export JAVA_HOME="$WORK/runtime"
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$TORCH_CMAKE" \
  -DJAVA_INCLUDE_PATH="$JAVA_HOME/include" -DJAVA_INCLUDE_PATH2="$JAVA_HOME/include/linux" -DJAVA_JVM_LIBRARY="$JAVA_HOME/lib/server/libjvm.so" \
  ${PT_VERSION:+-DPT_VERSION=$PT_VERSION} ${CUDA:+-DUSE_CUDA=1} > "$WORK/jni-cmake.log" 2>&1 || { tail -30 "$WORK/jni-cmake.log" >&2; exit 4; }
cmake --build "$BUILD" -j "$(nproc)" > "$WORK/jni-build.log" 2>&1 || { grep -m 20 -E "error|Error" "$WORK/jni-build.log" >&2; exit 5; }
cp "$BUILD/libdjl_torch.so" "$OUT_SO"
echo "built libdjl_torch.so against torch $TORCH_VERSION: $OUT_SO"
