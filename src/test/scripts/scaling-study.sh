#!/usr/bin/env bash
# The scaling study of docs/scaling.md: quality per image seen for the single JVM and W Spark workers averaging every
# k steps (local[2], one thread per task), all on small-plus to 61,440 images seen, G_ema's SWD every 5,120 images;
# every checkpoint is kept for eval (12, and a stopped run's stop checkpoints).
#   src/test/scripts/scaling-study.sh DATA RUNS [MINUTES [RUN ...]]
# DATA: prep's Parquet data set; RUNS: where the run folders go; MINUTES: stop (with a checkpoint) after this long;
# RUN: jvm-seedS or wW-kK-seedS, in the order to run them (default: the whole study, the most needed first).
# Two lanes take the runs in turn from one queue, then score the finished runs' checkpoints. Run it again to go on:
# every run resumes bit-exactly (--resume auto), and a finished run or eval is left as it is.
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
parse() {
  if [[ $1 =~ ^jvm-seed([0-9]+)$ ]]; then workers=1 k=1 seed=${BASH_REMATCH[1]}
  elif [[ $1 =~ ^w([0-9]+)-k([0-9]+)-seed([0-9]+)$ ]]; then
    workers=${BASH_REMATCH[1]} k=${BASH_REMATCH[2]} seed=${BASH_REMATCH[3]}
  else echo "$1: not a run name (jvm-seedS or wW-kK-seedS)"; return 1; fi
  steps=$((3072 / workers)) every=$((256 / workers))
}

finished() { grep -q "\"step\":$steps," "$runs/$1/metrics.jsonl" 2>/dev/null; }

minutes_left() { echo $(( (deadline - $(date +%s)) / 60 )); }

train() {
  local name=$1 workers k seed steps every left spark=()
  parse "$name" || return 0
  finished "$name" && return 0
  left=$(minutes_left)
  if (( left < 5 )); then echo "$name: no time left"; return 0; fi
  if (( workers > 1 )); then spark=(--master "local[2]" --workers "$workers" --averaging-frequency "$k"); fi
  echo "$name: $workers worker(s), k = $k, seed $seed, $steps steps, $left minutes at most"
  submit-scripts/local.sh train --preset small-plus --data "$data" --output "$runs/$name" --resume auto \
    --seed "$seed" --steps "$steps" --threads 1 --eval-every "$every" --checkpoint-every "$every" \
    --sample-every "$every" --keep-checkpoints 16 --log-every 16 --time-limit "$left" "${spark[@]}" \
    >>"$runs/$name.log" 2>&1 || { echo "$name: exit $? (see $runs/$name.log)"; return 0; }
  finished "$name" && echo "$name: trained" || echo "$name: stopped by the time limit"
}

# A finished run's checkpoints, scored by eval (N = 1,000 against the test frogs) into RUNS/NAME.eval.jsonl; it takes
# minutes a run, so it waits until every run has had its training turn, and starts only with 20 minutes left.
score() {
  local name=$1 workers k seed steps every
  parse "$name" || return 0
  finished "$name" && [[ ! -s "$runs/$name.eval.jsonl" ]] || return 0
  if (( $(minutes_left) < 20 )); then echo "$name: no time left for eval"; return 0; fi
  echo "$name: eval of every checkpoint"
  submit-scripts/local.sh eval --checkpoint "$runs/$name" --reference "$data" --images 1000 --json \
    >"$runs/$name.eval.jsonl.tmp" 2>"$runs/$name.eval.log" && mv "$runs/$name.eval.jsonl.tmp" "$runs/$name.eval.jsonl"
}

# Two lanes take the next task from one queue when their last one ends: every training, then every eval.
queue=$runs/.queue
{ printf 'train %s\n' "${study[@]}"; printf 'score %s\n' "${study[@]}"; } >"$queue"
lane() {
  local task
  while true; do
    task=$(flock "$queue" sh -c 'head -n 1 "$1"; sed -i 1d "$1"' sh "$queue")
    [[ -n $task ]] || return 0
    $task
  done
}
lane & lane &
wait
