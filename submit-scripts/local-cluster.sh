#!/usr/bin/env bash
# A real Spark standalone cluster on this machine — one master and two one-core workers on 127.0.0.1 — run from the
# project's own jars, no Spark distribution needed:
#   submit-scripts/local-cluster.sh start     starts it; returns once every worker is registered and prints
#                                             the master URL (spark://127.0.0.1:PORT)
#   submit-scripts/local-cluster.sh status    says whether it runs, and how many workers are alive
#   submit-scripts/local-cluster.sh stop      stops it
# Then: submit-scripts/standalone.sh --master spark://127.0.0.1:PORT train ...
# Environment: LOCAL_CLUSTER_PORT (7077), LOCAL_CLUSTER_WEBUI_PORT (18080), LOCAL_CLUSTER_WORKER_MEMORY (6g),
# LOCAL_CLUSTER_WORKERS (2; more one-core workers than cores is fine for measuring what the driver pays per worker).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
state="$root/target/local-cluster"
port="${LOCAL_CLUSTER_PORT:-7077}"
webui="${LOCAL_CLUSTER_WEBUI_PORT:-18080}"
workers="${LOCAL_CLUSTER_WORKERS:-2}"

alive_workers() {
  curl -sf "http://127.0.0.1:$webui/json/" 2>/dev/null | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || echo 0
}

running() {
  [[ -f "$state/master.pid" ]] && kill -0 "$(cat "$state/master.pid")" 2>/dev/null
}

start() {
  if running; then
    echo "local-cluster: already running"; echo "spark://127.0.0.1:$port"; return 0
  fi
  local home java_bin
  home=$(ensure_spark_home)
  java_bin=$(java_cmd)
  mkdir -p "$state/logs"
  export SPARK_HOME="$home" SPARK_SCALA_VERSION=2.12
  "$java_bin" -Xmx512m @"$root/conf/java17.args" -cp "$home/conf/:$home/jars/*" \
    org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port "$webui" \
    > "$state/logs/master.log" 2>&1 &
  echo $! > "$state/master.pid"
  for i in $(seq 1 $workers); do
    "$java_bin" -Xmx512m @"$root/conf/java17.args" -cp "$home/conf/:$home/jars/*" \
      org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 \
      --memory "${LOCAL_CLUSTER_WORKER_MEMORY:-6g}" --webui-port $((webui + i)) --work-dir "$state/work-$i" \
      "spark://127.0.0.1:$port" > "$state/logs/worker-$i.log" 2>&1 &
    echo $! > "$state/worker-$i.pid"
  done
  for _ in $(seq 1 120); do
    if [[ "$(alive_workers)" -ge $workers ]]; then
      echo "local-cluster: master and $workers workers up (logs in $state/logs, UI http://127.0.0.1:$webui)" >&2
      echo "spark://127.0.0.1:$port"
      return 0
    fi
    running || { echo "local-cluster: the master died; see $state/logs/master.log" >&2; stop; exit 1; }
    sleep 1
  done
  echo "local-cluster: workers did not register within 120 s; see $state/logs" >&2
  stop
  exit 1
}

stop() {
  local f
  for f in "$state"/*.pid; do
    [[ -f "$f" ]] || continue
    kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  echo "local-cluster: stopped" >&2
}

status() {
  if running; then
    echo "local-cluster: running at spark://127.0.0.1:$port with $(alive_workers) alive workers"
  else
    echo "local-cluster: not running"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
