#!/usr/bin/env bash
# A Spark standalone master and workers on one machine, built from jars alone (no Spark distribution):
# a "SPARK_HOME" whose jars/ holds links to the given jars (the Worker starts executors with
# -cp $SPARK_HOME/conf:$SPARK_HOME/jars/*, so the application's classes go there too).
#
#   deploy/standalone/standalone.sh start DIR WORKERS JAR...   → prints spark://127.0.0.1:<port>
#   deploy/standalone/standalone.sh stop DIR
#
# DIR holds spark-home/, the daemons' logs and pids, and the workers' work dirs. Each worker has 1 core and
# 1200 MB. The integration tests (ClusterFaultTest) run exactly this script.
set -euo pipefail
ACTION="$1"
DIR="$2"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$ACTION" in
  start)
    WORKERS="$3"
    shift 3
    mkdir -p "$DIR/spark-home/jars" "$DIR/spark-home/conf" "$DIR/logs"
    for jar in "$@"; do
      ln -sf "$jar" "$DIR/spark-home/jars/$(basename "$jar")"
    done
    # $SPARK_HOME/conf comes first on every daemon's and executor's classpath: this logging configuration wins
    # over any log4j2.properties inside the application jars (readiness below reads the master's INFO lines)
    cat > "$DIR/spark-home/conf/log4j2.properties" <<'LOG'
rootLogger.level = info
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
LOG
    export SPARK_HOME="$DIR/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
    # executors inherit the workers' environment: PyTorch settings measured in docs/benchmarks.md
    export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-268435456}" \
      MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-268435456}"
    PORT=$(free_port)
    "$JAVA" -Xmx512m "${OPENS[@]}" -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master \
      --host 127.0.0.1 --port "$PORT" --webui-port 0 > "$DIR/logs/master.log" 2>&1 &
    echo $! > "$DIR/master.pid"
    for i in $(seq 1 "$WORKERS"); do
      mkdir -p "$DIR/work-$i"
      "$JAVA" -Xmx256m "${OPENS[@]}" -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker \
        --host 127.0.0.1 --cores 1 --memory 1200m --webui-port 0 --work-dir "$DIR/work-$i" \
        "spark://127.0.0.1:$PORT" > "$DIR/logs/worker-$i.log" 2>&1 &
      echo $! > "$DIR/worker-$i.pid"
    done
    # ready when every worker has registered with the master
    for _ in $(seq 1 120); do
      if [ "$(grep -c "Registering worker" "$DIR/logs/master.log" 2>/dev/null || true)" -ge "$WORKERS" ]; then
        echo "spark://127.0.0.1:$PORT"
        exit 0
      fi
      sleep 0.5
    done
    echo "standalone: workers did not register within 60 s; see $DIR/logs" >&2
    exit 1
    ;;
  stop)
    for f in "$DIR"/worker-*.pid "$DIR"/master.pid; do
      [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    done
    ;;
  *)
    echo "usage: standalone.sh start DIR WORKERS JAR... | stop DIR" >&2
    exit 2
    ;;
esac
