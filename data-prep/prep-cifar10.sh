#!/usr/bin/env bash
# Prepares CIFAR-10 as Parquet with sensible defaults, on the embedded Spark (local mode):
#   data-prep/prep-cifar10.sh [--archive FILE] [--output URI] [--classes all|frog|...] [--overwrite]
# Without --archive it downloads and verifies the official archive into data/ first.
# Defaults: --output data/cifar10-parquet, --classes all. Any other option is passed on to `sparkgan prep`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
archive=""
output="$root/data/cifar10-parquet"
classes="all"
rest=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --archive) archive="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --classes) classes="$2"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) rest+=("$1"); shift ;;
  esac
done
if [[ -z "$archive" ]]; then
  "$root/data-prep/download-cifar10.sh" "$root/data"
  archive="$root/data/cifar-10-binary.tar.gz"
fi
exec "$root/submit-scripts/local.sh" prep --input "$archive" --output "$output" --classes "$classes" ${rest[@]+"${rest[@]}"}
