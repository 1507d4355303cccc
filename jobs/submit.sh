#!/usr/bin/env bash
# Shared by the job launchers: runs `kansoku <command>` locally (embedded Spark) or through spark-submit.
#   Local (default):          jobs/<job> [kansoku options]
#   Cluster (spark-submit):   SPARK_HOME=/opt/spark-4.2.0-bin-hadoop3 jobs/<job> --master spark://host:7077|yarn \
#                               [--deploy-mode client|cluster] [--conf k=v]... [other spark-submit options] [kansoku options]
# Under spark-submit the application jar is target/kansoku-cluster.jar (mvn -Pcluster package), which carries
# DJL, its PyTorch natives and the table schemas; Spark itself comes from SPARK_HOME (README, "On a cluster").
# In cluster deploy mode the driver runs on a cluster node: the configuration travels with the application (a
# Spark property holding conf/ packed), and relative paths in it resolve against this checkout's path
# (--base-dir), which must hold the same data on the nodes (or use absolute/shared paths).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMAND="$1"
shift
SPARK_VERSION_PINNED=4.2.0

MASTER=""
DEPLOY_MODE=""
PROPERTIES=""
CONF_DIR="$ROOT/conf"
SPARK_ARGS=()
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --master) MASTER="$2"; shift 2 ;;
    --master=*) MASTER="${1#--master=}"; shift ;;
    --deploy-mode) DEPLOY_MODE="$2"; shift 2 ;;
    --deploy-mode=*) DEPLOY_MODE="${1#--deploy-mode=}"; shift ;;
    --conf-dir) CONF_DIR="$(cd "$2" && pwd)"; shift 2 ;;
    --properties-file) PROPERTIES="$2"; SPARK_ARGS+=("$1" "$2"); shift 2 ;;
    # spark-submit's own options pass through to it
    --conf|--driver-memory|--executor-memory|--executor-cores|--num-executors|--total-executor-cores|--queue|--name|--jars|--files|--archives|--driver-java-options)
      SPARK_ARGS+=("$1" "$2"); shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

# a properties file (deploy/yarn/kansoku-yarn.properties) may name the master and the deploy mode
property() {
  [ -n "$PROPERTIES" ] && sed -n "s/^[[:space:]]*$1[[:space:]]*[=:[:space:]][[:space:]]*//p" "$PROPERTIES" | tail -1
}
MASTER="${MASTER:-$(property spark.master || true)}"
DEPLOY_MODE="${DEPLOY_MODE:-$(property spark.submit.deployMode || true)}"
DEPLOY_MODE="${DEPLOY_MODE:-client}"

if [ -z "${SPARK_HOME:-}" ] && [ -z "$MASTER" ]; then
  exec "$ROOT/kansoku" "$COMMAND" --conf-dir "$CONF_DIR" "${ARGS[@]+"${ARGS[@]}"}"
fi
if [ -z "${SPARK_HOME:-}" ] || [ ! -x "$SPARK_HOME/bin/spark-submit" ]; then
  echo "jobs: --master needs SPARK_HOME: a Spark $SPARK_VERSION_PINNED distribution with bin/spark-submit, e.g. spark-$SPARK_VERSION_PINNED-bin-hadoop3.tgz from https://archive.apache.org/dist/spark/spark-$SPARK_VERSION_PINNED/ unpacked (README, \"On a cluster\")" >&2
  exit 2
fi
if ! ls "$SPARK_HOME"/jars/spark-core_2.13-"$SPARK_VERSION_PINNED".jar >/dev/null 2>&1; then
  echo "jobs: SPARK_HOME=$SPARK_HOME holds no jars/spark-core_2.13-$SPARK_VERSION_PINNED.jar; Kansoku is built for Spark $SPARK_VERSION_PINNED (Scala 2.13)" >&2
  exit 2
fi
JAR="$ROOT/target/kansoku-cluster.jar"
if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT/pom.xml" "$ROOT/src/main" "$ROOT/data-schemas" -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  echo "jobs: building $JAR (mvn -Pcluster -DskipTests package)..." >&2
  (cd "$ROOT" && mvn -q -Pcluster -DskipTests package) >&2
fi

KANSOKU_ARGS=()
case "$DEPLOY_MODE" in
  client) KANSOKU_ARGS=(--conf-dir "$CONF_DIR") ;;
  cluster)
    # the driver starts on a node that has not got this checkout's conf/: ship it inside the application's
    # Spark properties (YARN puts them in the staged __spark_conf__, standalone on the driver's command line)
    BUNDLE="$(tar -C "$CONF_DIR" -czf - . | base64 | tr -d '\n')"
    SPARK_ARGS+=(--conf "spark.kansoku.conf-bundle=$BUNDLE")
    KANSOKU_ARGS=(--base-dir "$(dirname "$CONF_DIR")")
    if [[ "$MASTER" == spark://* ]]; then
      # wait for the driver as YARN does, so that the exit code is the job's
      SPARK_ARGS+=(--conf spark.standalone.submit.waitAppCompletion=true)
    fi
    ;;
  *) echo "jobs: --deploy-mode must be client or cluster, got $DEPLOY_MODE" >&2; exit 2 ;;
esac

# quiet by default: Kansoku's logging (progress lines, Spark's warnings) for spark-submit's own JVM too, unless
# SPARK_HOME/conf has a log4j2.properties or SPARK_SUBMIT_OPTS names one
if [ ! -f "$SPARK_HOME/conf/log4j2.properties" ] && [[ "${SPARK_SUBMIT_OPTS:-}" != *log4j2.configurationFile* ]]; then
  export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:+$SPARK_SUBMIT_OPTS }-Dlog4j2.configurationFile=jar:file:$JAR!/log4j2.properties"
fi

exec "$SPARK_HOME/bin/spark-submit" \
  ${MASTER:+--master "$MASTER"} \
  --deploy-mode "$DEPLOY_MODE" \
  --class dev.kansoku.cli.KansokuCli \
  --conf spark.driver.extraJavaOptions="-Dai.djl.offline=true -Dai.djl.default_engine=PyTorch -Djava.awt.headless=true" \
  --conf spark.executor.extraJavaOptions="-Dai.djl.offline=true -Dai.djl.default_engine=PyTorch" \
  "${SPARK_ARGS[@]+"${SPARK_ARGS[@]}"}" \
  "$JAR" "$COMMAND" "${KANSOKU_ARGS[@]}" "${ARGS[@]+"${ARGS[@]}"}"
