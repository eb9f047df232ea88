#!/usr/bin/env bash
# What a round costs, for docs/scaling.md: one worker's step with one thread, and the tree's averaging on a loopback
# standalone cluster of eight one-core executors, for the small-plus and seed presets. Run it with nothing else on the
# machine: the figures are wall seconds.
#   src/test/scripts/scaling-costs.sh OUT
# OUT gets step-PRESET.json (`bench --mode jvm`) and averaging-PRESET.json (`bench --mode averaging`), the inputs of
# src/bench/python/scaling_projection.py --model.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=${1:?OUT folder required}
mkdir -p "$out"

submit-scripts/local.sh bench --preset small-plus --mode jvm --threads 1 --warmup 3 --iterations 10 --json \
  >"$out/step-small-plus.json"
submit-scripts/local.sh bench --preset seed --mode jvm --threads 1 --warmup 2 --iterations 5 --json \
  >"$out/step-seed.json"

master=$(LOCAL_CLUSTER_WORKERS=8 submit-scripts/local-cluster.sh start)
trap 'submit-scripts/local-cluster.sh stop' EXIT
for preset in small-plus seed; do
  EXECUTOR_MEMORY=2g EXECUTOR_MEMORY_OVERHEAD=1g JAVACPP_MAXBYTES=512m NUM_EXECUTORS=8 \
    submit-scripts/standalone.sh --master "$master" bench --preset "$preset" --mode averaging --workers 8 \
    --iterations 5 --json >"$out/averaging-$preset.json"
done
