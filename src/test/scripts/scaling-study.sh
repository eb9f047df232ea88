#!/usr/bin/env bash
# The scaling study of docs/scaling.md: quality per image seen for the single JVM and W Spark workers averaging every
# k steps (local[2], one thread per task), all on small-plus to 61,440 images seen, G_ema's SWD every 5,120 images;
# every checkpoint is kept for eval (12, and a stopped run's stop checkpoints).
#   src/test/scripts/scaling-study.sh DATA RUNS [MINUTES [RUN ...]]
# DATA: prep's Parquet data set; RUNS: where the run folders go; MINUTES: stop (with a checkpoint) after this long;
# RUN: jvm-seedS or wW-kK-seedS, in the order to run them (default: the whole study, the most needed first).
# Two lanes take the runs in turn from one queue. Run it again to go on: every run resumes bit-exactly
# (--resume auto), and a finished run is left as it is.
set -euo pipefail
cd "$(dirname "$0")/../../.."
data=${1:?DATA (prep output) required}
runs=${2:?RUNS folder required}
minutes=${3:-600}
shift $(( $# < 3 ? $# : 3 ))
study=(jvm-seed1 jvm-seed2 w8-k4-seed1 w8-k16-seed1 w2-k4-seed1 w8-k4-seed2 w4-k4-seed1 w2-k1-seed1 w8-k1-seed1)
(( $# > 0 )) && study=("$@")
deadline=$(( $(date +%s) + minutes * 60 ))
mkdir -p "$runs"

# NAME: steps are per worker, so W x steps x 20 = 61,440 images; eval and checkpoint every 5,120.
# A finished run's checkpoints are then scored by eval, N = 1,000 against the test frogs, into RUNS/name.eval.jsonl.
run() {
  local name=$1 workers k seed
  if [[ $name =~ ^jvm-seed([0-9]+)$ ]]; then workers=1 k=1 seed=${BASH_REMATCH[1]}
  elif [[ $name =~ ^w([0-9]+)-k([0-9]+)-seed([0-9]+)$ ]]; then
    workers=${BASH_REMATCH[1]} k=${BASH_REMATCH[2]} seed=${BASH_REMATCH[3]}
  else echo "$name: not a run name (jvm-seedS or wW-kK-seedS)"; return; fi
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

# Each lane takes the next run from the queue when its last one ends.
queue=$runs/.queue
printf '%s\n' "${study[@]}" >"$queue"
lane() {
  local name
  while true; do
    name=$(flock "$queue" sh -c 'head -n 1 "$1"; sed -i 1d "$1"' sh "$queue")
    [[ -n $name ]] || return 0
    run "$name"
  done
}
lane & lane &
wait
