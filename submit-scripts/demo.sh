#!/usr/bin/env bash
# The demo, on this machine with the embedded Spark (local mode): prepares the CIFAR-10 frogs as Parquet (from a
# given archive, or the official one downloaded and verified), trains the small preset on Spark for a bounded time,
# and prints where the samples, metrics and checkpoints are. Run it again to continue the same run.
#   submit-scripts/demo.sh [--archive FILE] [--minutes N (10)] [--output DIR (runs/demo)] [--workers N (2)]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
archive=""
minutes=10
output="$root/runs/demo"
workers=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --archive) archive="$2"; shift 2 ;;
    --minutes) minutes="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
frogs="$root/data/cifar10-frog-parquet"
if [[ ! -d "$frogs" ]]; then # prep-cifar10.sh downloads and verifies the archive when none is given
  "$root/data-prep/prep-cifar10.sh" ${archive:+--archive "$archive"} --output "$frogs" --classes frog
fi
resume=()
[[ -f "$output/config.json" ]] && resume=(--resume)
"$root/submit-scripts/local.sh" train --master "local[$workers]" --data "$frogs" --output "$output" \
  --preset small --workers "$workers" --averaging-frequency 4 --steps 10000 --sample-every 40 --checkpoint-every 40 \
  --threads 1 --time-limit "$minutes" ${resume[@]+"${resume[@]}"}
cat <<EOT

demo: the run folder is $output
  report (curves, samples over time, warnings):   $output/report.html
  samples (8x8 grids from one fixed latent batch): $output/samples/
  metrics, one JSON line per logged step:          $output/metrics.jsonl
  checkpoints:                                     $output/checkpoints/
  run this script again to continue training; to sample the generator:
  submit-scripts/local.sh generate --checkpoint $output/checkpoints/<newest> --count 64 --grid --output $output/generated
EOT
