#!/usr/bin/env bash
# Downloads and unpacks the Spark distribution Kansoku is built for, checking its SHA-256, and prints SPARK_HOME.
#   deploy/spark/get-spark.sh [DIR]   (default /opt)
# The only script here that uses the network; nothing in the tests or the demo calls it.
set -euo pipefail
VERSION=4.2.0
NAME="spark-$VERSION-bin-hadoop3"
# as pinned by Homebrew's apache-spark formula; Apache publishes $NAME.tgz.sha512 and .asc beside the archive
SHA256=cc1232a4a23858300ba9c887b7ac5a9128b4a1819cea2fa8ee2bc6ce98ced72b
DIR="${1:-/opt}"
mkdir -p "$DIR"
TGZ="$DIR/$NAME.tgz"
if [ ! -d "$DIR/$NAME" ]; then
  curl -fL --retry 3 -o "$TGZ" "https://archive.apache.org/dist/spark/spark-$VERSION/$NAME.tgz"
  echo "$SHA256  $TGZ" | sha256sum -c - >&2
  tar -xzf "$TGZ" -C "$DIR"
  rm -f "$TGZ"
fi
echo "$DIR/$NAME"
