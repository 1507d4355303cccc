#!/usr/bin/env bash
# Kansoku on Kubernetes: spark-submit in cluster mode with GPU executors (executor-pod-template.yaml). The image
# must contain /opt/kansoku (this repository with target/kansoku-cluster.jar) and the data volume holds models,
# datasets and results (--results /data/results).  Usage: deploy/kubernetes/submit.sh nightly [kansoku options]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMMAND="${1:-nightly}"
shift || true
exec "$SPARK_HOME/bin/spark-submit" \
  --properties-file "$ROOT/deploy/kubernetes/kansoku-k8s.properties" \
  --class dev.kansoku.cli.KansokuCli \
  local:///opt/kansoku/target/kansoku-cluster.jar "$COMMAND" --conf-dir /opt/kansoku/conf --results /data/results "$@"
