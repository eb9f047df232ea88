#!/usr/bin/env bash
# Runs the killed-executor test N times in a row (default 10) and counts the bit-identical runs:
#   src/test/scripts/repeat-killed-executor.sh [N]
# Needs SPARKGAN_TEST_DATA, as the test suite does. Each run's Maven output goes to target/repeat-killed-executor/.
set -uo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-10}
logs=target/repeat-killed-executor
mkdir -p "$logs"
mvn -B -q test-compile || exit 1
identical=0
for i in $(seq 1 "$runs"); do
  if mvn -B -q surefire:test@cluster-tests -Dtest='LocalClusterTrainTest#aFailedTaskAndAKilledExecutorChangeNothing' \
      -Dsurefire.failIfNoSpecifiedTests=false >"$logs/run-$i.log" 2>&1; then
    identical=$((identical + 1)); echo "run $i: bit-identical"
  else
    echo "run $i: FAILED ($(grep -m1 -E 'differ|expected|Exception' "$logs/run-$i.log" | cut -c1-200))"
  fi
done
echo "$identical of $runs killed-executor runs bit-identical"
[[ $identical -eq $runs ]]
