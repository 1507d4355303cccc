#!/usr/bin/env bash
# Kansoku on YARN: evaluate (or nightly) with GPUs. Needs SPARK_HOME (Spark 4.2, Hadoop 3 client configured for
# the cluster: HADOOP_CONF_DIR) and the shaded jar (mvn -Pcluster package). Results and conf must be on storage
# every node reads: pass --results hdfs://... and keep model directories on a shared path or in HDFS-synced
# local paths.  Usage: deploy/yarn/submit.sh evaluate|nightly [kansoku options]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMMAND="${1:-nightly}"
shift || true
exec "$SPARK_HOME/bin/spark-submit" \
  --properties-file "$ROOT/deploy/yarn/kansoku-yarn.properties" \
  --class dev.kansoku.cli.KansokuCli \
  "$ROOT/target/kansoku-cluster.jar" "$COMMAND" --conf-dir "$ROOT/conf" "$@"
