#!/usr/bin/env bash
# Runs any sparkgan command on this machine with the embedded Spark (local mode), no Spark installation needed:
#   submit-scripts/local.sh <command> [options]      e.g.  submit-scripts/local.sh prep --help
# Builds the application first when it is missing or older than the sources (without running the tests).
# Environment: SPARKGAN_DRIVER_MEMORY (default 6g), SPARKGAN_JAVA_OPTS (extra JVM options), JAVA_HOME.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
jar="$root/target/sparkgan.jar"
classpath="$root/target/classpath.txt"

if [[ ! -f "$jar" || ! -f "$classpath" || -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]]; then
  echo "local.sh: building sparkgan (mvn package, tests skipped)..." >&2
  maven -DskipTests package dependency:build-classpath -Dmdep.includeScope=runtime \
    -Dmdep.outputFile=target/classpath.txt >&2
fi

export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2086
exec "$java_bin" -Xmx"${SPARKGAN_DRIVER_MEMORY:-6g}" @"$root/conf/java17.args" \
  -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
  ${SPARKGAN_JAVA_OPTS:-} \
  -cp "$jar:$(cat "$classpath")" org.sparkgan.cli.Main "$@"
