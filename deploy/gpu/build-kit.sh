#!/usr/bin/env bash
# Builds the GPU kit (deploy/gpu/README.md) into target/gpu-kit (git-ignored): a jlinked Java runtime with the JNI
# headers, the engine's jars (no Spark, Hadoop, Scala or Parquet; only linux-x86_64 natives; no bundled libtorch:
# the host's is used), DJL's PyTorch JNI sources when --djl-source names a DJL checkout at the matching release, and
# the run script. Prints the kit's size with the repository's tracked files (what travels to an air-gapped host)
# and fails above the 64 MiB limit.
#   deploy/gpu/build-kit.sh [--djl-source DIR] [--out DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/target/gpu-kit"
DJL_SOURCE=""
LIMIT_MIB=64
# the DJL release the engine's jars are (pom.xml): its JNI sources are the ones to rebuild
DJL_VERSION="0.36.0"
while [ $# -gt 0 ]; do
  case "$1" in
    --djl-source) DJL_SOURCE="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "build-kit.sh: unknown argument '$1' (--djl-source DIR, --out DIR)" >&2; exit 2 ;;
  esac
done
cd "$ROOT"
# the engine: target/kansoku.jar and its run classpath (or KANSOKU_JAR and KANSOKU_CLASSPATH_FILE, as GpuKitTest
# passes them from inside a Maven build)
JAR="${KANSOKU_JAR:-$ROOT/target/kansoku.jar}"
CLASSPATH_FILE="${KANSOKU_CLASSPATH_FILE:-$ROOT/target/classpath.txt}"
if [ -z "${KANSOKU_JAR:-}" ] && { [ ! -f "$JAR" ] || [ ! -f "$CLASSPATH_FILE" ] \
    || [ -n "$(find pom.xml src/main -newer "$JAR" -print -quit)" ]; }; then
  mvn -q -B -DskipTests package
fi
rm -rf "$OUT"
mkdir -p "$OUT/lib"

# The engine's jars: EngineCli needs DJL (api, PyTorch engine and JNI, tokenizers), picocli, Jackson, Typesafe
# Config (the model registry), commons-compress and JNA (DJL), gson (DJL) and slf4j's simple logger (log4j-core,
# the build's backend, needs java.desktop's java.beans: 12 MB more of runtime). EngineOnlyClasspathTest runs the
# engine commands without the cluster jars; GpuKitTest runs them from this kit.
tr ':' '\n' < "$CLASSPATH_FILE" \
  | grep -E '/ai/djl/|/info/picocli/|/com/fasterxml/jackson/core/|/org/slf4j/slf4j-api/|/com/google/code/gson/|/org/apache/commons/commons-compress/|/org/apache/commons/commons-lang3/|/commons-io/commons-io/|/net/java/dev/jna/|/com/typesafe/config' \
  | grep -v -E 'pytorch-native-cpu|onnxruntime' > "$OUT/jars.txt"
cp "$JAR" "$OUT/lib/kansoku.jar"
while read -r jar; do cp "$jar" "$OUT/lib/"; done < "$OUT/jars.txt"
rm "$OUT/jars.txt"
slf4j="$(ls "$OUT"/lib/slf4j-api-*.jar | sed 's/.*slf4j-api-\(.*\)\.jar/\1/')"
mvn -q -B dependency:copy -Dartifact="org.slf4j:slf4j-simple:$slf4j" -DoutputDirectory="$OUT/lib"
# natives of other platforms out (tokenizers, JNA, the PyTorch JNI: linux-x86_64 cpu and cu128 stay)
python3 "$ROOT/deploy/gpu/strip_natives.py" "$OUT/lib"/*.jar

# A Java runtime of the modules the engine uses, with the JNI headers for a rebuild of DJL's JNI
JAVA_HOME_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
# (jdeps on the engine's jars; java.desktop, which DJL's image classes and Config's bean factory name, is never
# loaded by the engine commands and would add 12 MB)
jlink --add-modules java.base,java.logging,java.management,jdk.management,java.naming,java.sql,java.xml,jdk.unsupported \
  --strip-debug --compress=2 --no-header-files --no-man-pages --output "$OUT/runtime.tmp"
mkdir -p "$OUT/runtime.tmp/include"
cp -r "$JAVA_HOME_DIR/include/." "$OUT/runtime.tmp/include/"
tar -C "$OUT" -czf "$OUT/runtime.tar.gz" --transform 's,^runtime.tmp,runtime,' runtime.tmp
rm -rf "$OUT/runtime.tmp"

# DJL's PyTorch JNI sources (Apache-2.0) of the same release, for the rebuild against a host's libtorch
if [ -n "$DJL_SOURCE" ]; then
  src="$OUT/djl-pytorch-native"
  mkdir -p "$src"
  parts="LICENSE engines/pytorch/pytorch-native api/src/main/native engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni"
  if git -C "$DJL_SOURCE" rev-parse --git-dir >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    git -C "$DJL_SOURCE" archive "v$DJL_VERSION" $parts | tar -x -C "$src"
  else
    for d in $parts; do
      mkdir -p "$src/$(dirname "$d")" && cp -r "$DJL_SOURCE/$d" "$src/$d"
    done
  fi
  rm -f "$src/engines/pytorch/pytorch-native/gradlew" "$src/engines/pytorch/pytorch-native/build_android.sh"
  # the JNI header, generated here: the kit's runtime has no javac
  javac -h "$src/engines/pytorch/pytorch-native/build/include" -d "$OUT/header-classes" \
    -cp "$(ls "$OUT"/lib/api-*.jar):$(ls "$OUT"/lib/pytorch-engine-*.jar)" \
    "$src/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
  rm -rf "$OUT/header-classes" "$src/engines/pytorch/pytorch-engine"
  echo "DJL v$DJL_VERSION (Apache-2.0, see LICENSE): $parts" > "$src/SOURCE"
fi
cp "$ROOT/deploy/gpu/run.sh" "$ROOT/deploy/gpu/build-jni.sh" "$ROOT/deploy/gpu/hf_compare.py" "$OUT/"

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
kit_bytes=$(du -sb "$OUT" | cut -f1)
tracked_bytes=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
total=$(( kit_bytes + tracked_bytes ))
echo "gpu kit: $OUT: $(mib "$kit_bytes") MiB (runtime $(mib "$(du -sb "$OUT/runtime.tar.gz" | cut -f1)") MiB, jars" \
  "$(mib "$(du -sb "$OUT/lib" | cut -f1)") MiB); with the tracked files ($(mib "$tracked_bytes") MiB): $(mib "$total") MiB" \
  "of ${LIMIT_MIB} MiB"
if [ "$total" -gt $(( LIMIT_MIB * 1048576 )) ]; then
  echo "gpu kit: over the ${LIMIT_MIB} MiB limit" >&2
  exit 1
fi
