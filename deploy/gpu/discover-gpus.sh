#!/usr/bin/env bash
# Spark GPU discovery script (spark.{driver,executor}.resource.gpu.discoveryScript): prints the GPUs this
# executor may use as Spark's ResourceInformation JSON, e.g. {"name": "gpu", "addresses": ["0","1"]}.
# Addresses are nvidia-smi indices; Kansoku turns the address Spark assigns to a task into Device.gpu(index).
# Honours CUDA_VISIBLE_DEVICES when a resource manager (YARN, Kubernetes device plugin) has already set it.
set -euo pipefail
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  IFS=',' read -ra ids <<< "$CUDA_VISIBLE_DEVICES"
  # inside the container the visible devices are renumbered from 0
  addrs=$(seq 0 $(( ${#ids[@]} - 1 )) | sed 's/.*/"&"/' | paste -sd, -)
else
  addrs=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed 's/ //g; s/.*/"&"/' | paste -sd, -)
fi
echo "{\"name\": \"gpu\", \"addresses\": [${addrs}]}"
