#!/usr/bin/env bash
# Shared by the job launchers: runs `kansoku <command>` locally (embedded Spark) or through spark-submit.
#   Local (default):          jobs/<job> [options]
#   Cluster (spark-submit):   SPARK_HOME=/opt/spark jobs/<job> --master spark://host:7077 [options]
# Under spark-submit the application jar is target/kansoku-cluster.jar (mvn -Pcluster package), which carries
# DJL, its PyTorch natives and the table schemas; Spark itself comes from the cluster.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMAND="$1"
shift

MASTER=""
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --master) MASTER="$2"; shift 2 ;;
    --master=*) MASTER="${1#--master=}"; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

if [ -z "${SPARK_HOME:-}" ] && [ -z "$MASTER" ]; then
  exec "$ROOT/kansoku" "$COMMAND" "${ARGS[@]+"${ARGS[@]}"}"
fi
if [ -z "${SPARK_HOME:-}" ]; then
  echo "jobs: --master needs SPARK_HOME (a Spark 4.2 distribution with bin/spark-submit)" >&2
  exit 2
fi
JAR="$ROOT/target/kansoku-cluster.jar"
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && mvn -q -Pcluster -DskipTests package) >&2
fi
exec "$SPARK_HOME/bin/spark-submit" \
  ${MASTER:+--master "$MASTER"} \
  --class dev.kansoku.cli.KansokuCli \
  --conf spark.driver.extraJavaOptions="-Dai.djl.offline=true -Dai.djl.default_engine=PyTorch -Djava.awt.headless=true" \
  --conf spark.executor.extraJavaOptions="-Dai.djl.offline=true -Dai.djl.default_engine=PyTorch" \
  "$JAR" "$COMMAND" --conf-dir "$ROOT/conf" "${ARGS[@]+"${ARGS[@]}"}"
