#!/usr/bin/env bash
# spark-submit for machines without a Spark distribution. It does what Spark's own bin/spark-submit does — ask
# org.apache.spark.launcher.Main for the java command of SparkSubmit and run it — over a SPARK_HOME assembled from
# the project's Spark jars (target/spark-home), so the same options and defaults apply.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
export SPARK_HOME="${SPARK_HOME:-$(ensure_spark_home)}"
export SPARK_SCALA_VERSION=2.12
java_bin=$(java_cmd)

# The launcher prints the command NUL-separated, then its own exit status.
launch=()
while IFS= read -d '' -r arg; do launch+=("$arg"); done < <(
  "$java_bin" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main org.apache.spark.deploy.SparkSubmit "$@"
  printf '%d\0' $?)
last=$((${#launch[@]} - 1))
status=${launch[$last]}
[[ "$status" == 0 ]] || exit "$status"
cmd=("${launch[@]:0:$last}")
# the launcher may emit an empty field and a newline before the command: drop them
while [[ ${#cmd[@]} -gt 0 && -z "${cmd[0]//$'\n'/}" ]]; do cmd=("${cmd[@]:1}"); done
cmd[0]="${cmd[0]#$'\n'}"
exec "${cmd[@]}"
