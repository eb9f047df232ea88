#!/usr/bin/env bash
# A real YARN and HDFS on this machine — a ResourceManager, one NodeManager with its physical-memory check on, a
# NameNode and a DataNode, all on 127.0.0.1 — run from the project's own jars (Hadoop's MiniYARNCluster and
# MiniDFSCluster, a test dependency), no Hadoop installation needed:
#   submit-scripts/local-yarn.sh start     starts it in the background; prints the ResourceManager's web address,
#                                          the HDFS URI and the HADOOP_CONF_DIR line to export
#   submit-scripts/local-yarn.sh status    says whether it runs, and prints the same lines
#   submit-scripts/local-yarn.sh stop      stops it (its HDFS and logs go with it)
#   submit-scripts/local-yarn.sh fs ARGS   Hadoop's file system shell on it (no Hadoop installation needed), e.g.
#                                          fs -put data/cifar-10-binary.tar.gz /raw/   or   fs -ls -R /runs
# Then: export HADOOP_CONF_DIR=...; submit-scripts/yarn.sh prep|train|eval|report ...
# Environment: LOCAL_YARN_NODE_MEMORY_MB (16384: the memory the NodeManager offers to containers).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
state="$root/target/local-yarn"

running() {
  [[ -f "$state/pid" ]] && kill -0 "$(cat "$state/pid")" 2>/dev/null
}

# The test class path (LocalYarn lives with the tests; MiniYARNCluster comes with hadoop-client-minicluster).
class_path() {
  local cp="$state/classpath.txt"
  if [[ ! -f "$root/target/test-classes/org/sparkgan/testing/LocalYarn.class" \
        || -n "$(find "$root/src" "$root/pom.xml" -newer "$root/target/test-classes/org/sparkgan/testing/LocalYarn.class" -name '*.java' -print -quit)" ]]; then
    echo "local-yarn: compiling the project and its tests (mvn test-compile)..." >&2
    maven -DskipTests test-compile >&2
  fi
  if [[ ! -f "$cp" || "$root/pom.xml" -nt "$cp" ]]; then
    maven dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >&2
  fi
  echo "$root/target/test-classes:$root/target/classes:$(cat "$cp")"
}

start() {
  if running; then
    echo "local-yarn: already running" >&2; cat "$state/ready"; return 0
  fi
  local cp
  mkdir -p "$state"
  cp=$(class_path)
  rm -f "$state/ready"
  # from the project folder: MiniYARNCluster keeps its NodeManager's folders (container logs included) under
  # target/local-yarn-cluster of the folder it starts in
  (cd "$root" && exec "$(java_cmd)" -Xmx1g @"$root/conf/java17.args" -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
    -cp "$cp" org.sparkgan.testing.LocalYarn "$state" "${LOCAL_YARN_NODE_MEMORY_MB:-16384}" \
    > "$state/local-yarn.log" 2>&1) &
  echo $! > "$state/pid"
  for _ in $(seq 1 180); do
    if [[ -f "$state/ready" ]]; then
      echo "local-yarn: up (log: $state/local-yarn.log)" >&2
      cat "$state/ready"
      return 0
    fi
    running || { echo "local-yarn: it stopped while starting; see $state/local-yarn.log" >&2; rm -f "$state/pid"; exit 1; }
    sleep 1
  done
  echo "local-yarn: not up within 180 s; see $state/local-yarn.log" >&2
  stop
  exit 1
}

stop() {
  if running; then
    local pid
    pid=$(cat "$state/pid")
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  rm -f "$state/pid" "$state/ready"
  echo "local-yarn: stopped" >&2
}

fs() {
  running || { echo "local-yarn: not running" >&2; exit 3; }
  "$(java_cmd)" -Xmx512m -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
    -cp "$state/hadoop-conf:$(ensure_spark_home)/jars/*" org.apache.hadoop.fs.FsShell "$@"
}

status() {
  if running && [[ -f "$state/ready" ]]; then
    echo "local-yarn: running" >&2
    cat "$state/ready"
  else
    echo "local-yarn: not running"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  fs) shift; fs "$@" ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
