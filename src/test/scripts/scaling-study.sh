#!/usr/bin/env bash
# The scaling study of docs/scaling.md: quality per image seen for the single JVM and W = 2, 4, 8 Spark workers
# (local[2], one thread per task), all on small-plus to 61,440 images seen, G_ema's SWD every 5,120 images; every
# checkpoint is kept for eval (12, and a stopped run's stop checkpoints).
#   src/test/scripts/scaling-study.sh DATA RUNS [MINUTES]
# DATA: prep's Parquet data set; RUNS: where the run folders go; MINUTES: stop (with a checkpoint) after this long.
# Two lanes of runs side by side, at most. Run it again to go on: every run resumes bit-exactly (--resume auto), and
# a finished run is left as it is.
set -euo pipefail
cd "$(dirname "$0")/../../.."
data=${1:?DATA (prep output) required}
runs=${2:?RUNS folder required}
minutes=${3:-600}
deadline=$(( $(date +%s) + minutes * 60 ))
mkdir -p "$runs"

# name workers k seed: steps are per worker, so W x steps x 20 = 61,440 images; eval and checkpoint every 5,120.
# A finished run's checkpoints are then scored by eval, N = 1,000 against the test frogs, into RUNS/name.eval.jsonl.
run() {
  local name=$1 workers=$2 k=$3 seed=$4
  local steps=$((3072 / workers)) every=$((256 / workers))
  local left=$(( (deadline - $(date +%s)) / 60 ))
  if (( left < 5 )); then echo "$name: no time left"; return; fi
  if ! grep -q "\"step\":$steps," "$runs/$name/metrics.jsonl" 2>/dev/null; then
    local spark=()
    if (( workers > 1 )); then spark=(--master "local[2]" --workers "$workers" --averaging-frequency "$k"); fi
    echo "$name: $workers worker(s), k = $k, seed $seed, $steps steps, $left minutes at most"
    submit-scripts/local.sh train --preset small-plus --data "$data" --output "$runs/$name" --resume auto \
      --seed "$seed" --steps "$steps" --threads 1 --eval-every "$every" --checkpoint-every "$every" \
      --sample-every "$every" --keep-checkpoints 16 --log-every 16 --time-limit "$left" "${spark[@]}" \
      >"$runs/$name.log" 2>&1 || { echo "$name: exit $? (see $runs/$name.log)"; return; }
    grep -q "\"step\":$steps," "$runs/$name/metrics.jsonl" || { echo "$name: stopped by the time limit"; return; }
  fi
  if [[ ! -s "$runs/$name.eval.jsonl" ]]; then
    echo "$name: eval of every checkpoint"
    submit-scripts/local.sh eval --checkpoint "$runs/$name" --reference "$data" --images 1000 --json \
      >"$runs/$name.eval.jsonl.tmp" 2>"$runs/$name.eval.log" && mv "$runs/$name.eval.jsonl.tmp" "$runs/$name.eval.jsonl"
  fi
  echo "$name: done"
}

# Each lane runs its most needed run first: the single JVM's two seeds (its spread is the yardstick), W = 8 at both
# k; about 130 minutes a lane on 2 cores.
( run jvm-seed1 1 1 1; run jvm-seed2 1 1 2; run w4-k4-seed1 4 4 1 ) &
( run w8-k4-seed1 8 4 1; run w8-k16-seed1 8 16 1; run w2-k4-seed1 2 4 1; run w8-k4-seed2 8 4 2 ) &
wait
