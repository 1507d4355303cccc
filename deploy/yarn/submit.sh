#!/usr/bin/env bash
# Kansoku on YARN with GPUs: jobs/submit.sh with kansoku-yarn.properties (cluster deploy mode, one GPU per executor
# and per inference task). Needs SPARK_HOME (Spark 4.2.0, README "On a cluster"), HADOOP_CONF_DIR naming the
# cluster, results on HDFS (--results hdfs://...) and model directories at the same path on every node.
#   deploy/yarn/submit.sh evaluate|nightly|analyze [spark-submit options] [kansoku options]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMMAND="${1:-nightly}"
shift || true
cd "$ROOT"  # spark.yarn.dist.files names deploy/gpu/discover-gpus.sh relative to the checkout
exec "$ROOT/jobs/submit.sh" "$COMMAND" --properties-file "$ROOT/deploy/yarn/kansoku-yarn.properties" "$@"
