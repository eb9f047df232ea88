#!/usr/bin/env bash
# Shared by standalone.sh, yarn.sh and k8s.sh (and local.sh, for its Maven call): builds the application jar when
# missing, resolves settings (conf/sparkgan-submit.conf, overridable by environment variables), and runs spark-submit — the installed one, or a
# faithful stand-in built from the project's own Spark jars when none is installed.
# Usage (from a wrapper): run_submit <deploy-specific spark-submit options...> -- <sparkgan command and options>
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
app_jar="$root/target/sparkgan-spark.jar"
# OpenMP threads that wait asleep, not spinning: on shared cores a spinning team member holds a core its peers need
# (the small preset's step took 4.8 s instead of 1.0 s beside other work; docs/performance.md)
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# OpenBLAS's kernels, named rather than detected, the same in every JVM of a run: this one (the driver, or the local
# run), the executors and a driver the cluster starts (yarn.sh, k8s.sh). The name is conf/spark-defaults.conf's for the
# executors, unless the environment names others. docs/design.md#determinism
blas_default=$(awk '$1 == "spark.executorEnv.OPENBLAS_CORETYPE" { print $2 }' "$root/conf/spark-defaults.conf")
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$blas_default}"

# Maven for the scripts' builds: batch mode and quiet, and -Djansi.noreset, without which Maven 3.8 still writes
# colour-reset escapes (ESC[0m) to stdout and stderr at exit; a JVM property, so MAVEN_OPTS, not a -D argument.
maven() {
  (cd "$root" && MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" mvn -B -q "$@")
}

load_settings() {
  local conf="${SPARKGAN_SUBMIT_CONF:-$root/conf/sparkgan-submit.conf}" line key
  while IFS= read -r line; do
    [[ "$line" =~ ^[A-Z0-9_]+= ]] || continue
    key=${line%%=*}
    [[ -n "${!key:-}" ]] || export "$key=${line#*=}"   # the environment wins
  done < "$conf"
}

# The memory settings of the preset a command names (--preset small|small-plus|seed|seed-plus; none: seed, the
# default preset, whose settings also cover the small one; prep and report run no network: small's):
# DRIVER_MEMORY, DRIVER_MEMORY_OVERHEAD, EXECUTOR_MEMORY, EXECUTOR_MEMORY_OVERHEAD and JAVACPP_MAXBYTES from the
# SMALL_ or SEED_ values of the settings file, unless the environment gives them.
preset_memory() {
  local preset=seed i args=("$@") key prefix
  [[ "${args[0]:-}" == prep || "${args[0]:-}" == report ]] && preset=small
  for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
      --preset) preset="${args[i + 1]:-seed}" ;;
      --preset=*) preset="${args[i]#--preset=}" ;;
    esac
  done
  case "$preset" in small*) prefix=SMALL ;; *) prefix=SEED ;; esac
  for key in DRIVER_MEMORY DRIVER_MEMORY_OVERHEAD EXECUTOR_MEMORY EXECUTOR_MEMORY_OVERHEAD JAVACPP_MAXBYTES; do
    local from="${prefix}_$key"
    [[ -n "${!key:-}" ]] || export "$key=${!from}"
  done
}

build_app_jar() {
  [[ -n "${SPARKGAN_APP_JAR:-}" ]] && return 0   # a jar given: used as it is
  if [[ ! -f "$app_jar" || -n "$(find "$root/src/main" "$root/pom.xml" -newer "$app_jar" -print -quit)" ]]; then
    echo "submit: building $app_jar (mvn -Pcluster package, tests skipped)..." >&2
    maven -Pcluster -DskipTests package >&2
  fi
}

# spark-submit: $SPARK_HOME/bin/spark-submit, one on the PATH, or the stand-in over the project's jars.
spark_submit_cmd() {
  if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then
    echo "$SPARK_HOME/bin/spark-submit"
  elif command -v spark-submit >/dev/null 2>&1; then
    command -v spark-submit
  else
    echo "$root/submit-scripts/spark-submit-standin.sh"
  fi
}

# run_submit [--dry-run] [--master URL] <spark-submit options> -- <sparkgan args>
# SPARKGAN_SUBMIT_OPTS: more spark-submit options, split at spaces (e.g. "--conf spark.eventLog.enabled=true");
# SPARKGAN_APP_JAR: the application jar to submit instead of building target/sparkgan-spark.jar.
run_submit() {
  load_settings
  local dry_run=false master="${MASTER:-}" opts=() args=() extra=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do opts+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dry-run) dry_run=true; shift ;;
      --master) master="$2"; shift 2 ;;
      *) args+=("$1"); shift ;;
    esac
  done
  preset_memory "${args[@]}"
  read -r -a extra <<< "${SPARKGAN_SUBMIT_OPTS:-}"
  if [[ -z "$master" ]]; then
    echo "submit: no master: give --master URL or set MASTER" >&2
    exit 2
  fi
  # conf/spark-defaults.conf as --conf options, not --properties-file: Spark 3.5's spark-submit reads one properties
  # file only, so that would hide the cluster's own spark-defaults.conf (its event log, spark.yarn.jars, queues).
  # The executors' JVM options are set below, with ND4J's limit.
  local defaults=() key value module_opens=""
  while read -r key value; do
    [[ -z "$key" || "$key" == \#* ]] && continue
    case "$key" in
      spark.executor.extraJavaOptions) module_opens=$value ;;
      spark.executorEnv.OPENBLAS_CORETYPE) ;;   # below: the environment may name other kernels
      *) defaults+=(--conf "$key=$value") ;;
    esac
  done < "$root/conf/spark-defaults.conf"
  # the module opens of the defaults file, also for a driver the cluster starts (cluster deploy mode), and ND4J's
  # off-heap limit, which the memory overhead must cover
  local jvm_options="$module_opens -Dorg.bytedeco.javacpp.maxbytes=$JAVACPP_MAXBYTES"
  local cmd=("$(spark_submit_cmd)" --master "$master" --class org.sparkgan.cli.Main
    "${defaults[@]}"
    --driver-memory "$DRIVER_MEMORY" --executor-memory "$EXECUTOR_MEMORY" --executor-cores "$EXECUTOR_CORES"
    --conf "spark.executor.memoryOverhead=$EXECUTOR_MEMORY_OVERHEAD"
    --conf "spark.driver.memoryOverhead=$DRIVER_MEMORY_OVERHEAD"
    --conf "spark.executorEnv.OMP_NUM_THREADS=$OMP_THREADS"
    --conf "spark.executorEnv.OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
    --conf "spark.executorEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"
    --conf "spark.driver.extraJavaOptions=$jvm_options"
    --conf "spark.executor.extraJavaOptions=$jvm_options"
    "${opts[@]}" ${extra[@]+"${extra[@]}"} "${SPARKGAN_APP_JAR:-$app_jar}" "${args[@]}")
  if $dry_run; then
    printf '%q ' "${cmd[@]}"
    echo
    return 0
  fi
  build_app_jar
  exec "${cmd[@]}"
}

# The sparkgan arguments, with --resume auto added to a train command that names neither --resume nor --overwrite:
# where the cluster restarts a failed driver (YARN application attempts, a Kubernetes Job), the same command then
# continues from the newest checkpoint instead of failing on "run folder exists".
restartable_args() {
  local args=("$@") i command=""
  for ((i = 0; i < ${#args[@]}; i++)); do   # the command: the first word past run_submit's own options
    case "${args[i]}" in
      --dry-run) ;;
      --master) i=$((i + 1)) ;;
      *) command="${args[i]}"; break ;;
    esac
  done
  if [[ "$command" == "train" ]]; then
    local a
    for a in "${args[@]}"; do [[ "$a" == --resume* || "$a" == --overwrite* || "$a" == --help ]] && command=""; done
    [[ -n "$command" ]] && args+=(--resume auto)
  fi
  printf '%s\0' "${args[@]}"
}

# A SPARK_HOME made of the project's own Spark, Scala and Hadoop jars (no distribution needed): target/spark-home.
ensure_spark_home() {
  local home="$root/target/spark-home"
  # (again when an older one lacks YARN's jars)
  if ! compgen -G "$home/jars/hadoop-yarn-server-web-proxy-*.jar" >/dev/null; then
    rm -rf "$home/jars"
    echo "submit: assembling $home from the project's Spark jars..." >&2
    maven dependency:copy-dependencies -DincludeScope=runtime \
      -DexcludeGroupIds=org.deeplearning4j,org.nd4j,org.bytedeco,org.datavec \
      -DoutputDirectory="$home/jars" >&2
    # Spark's ApplicationMaster puts YARN's AmIpFilter on its web UI; it lives in YARN's web proxy, which the shaded
    # Hadoop client leaves out (a cluster's Hadoop installation provides it): that one jar, at the client's version
    local hadoop_version
    hadoop_version=$(basename "$(compgen -G "$home/jars/hadoop-client-api-*.jar")" .jar)
    maven dependency:copy -Dartifact="org.apache.hadoop:hadoop-yarn-server-web-proxy:${hadoop_version#hadoop-client-api-}" \
      -DoutputDirectory="$home/jars" >&2
    mkdir -p "$home/conf"
    cp "$root/conf/log4j2.properties" "$home/conf/"
  fi
  echo "$home"
}

java_cmd() {
  echo "${JAVA_HOME:+$JAVA_HOME/bin/}java"
}
