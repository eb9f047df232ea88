#!/usr/bin/env bash
# sparkgan on a Spark standalone cluster:
#   submit-scripts/standalone.sh --master spark://host:7077 train --data hdfs:///lake/cifar10 --output hdfs:///runs/r1 ...
#   MASTER=spark://host:7077 submit-scripts/standalone.sh prep --input ... --output ...
# --dry-run prints the spark-submit command instead of running it. Settings: conf/sparkgan-submit.conf.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ "${1:-}" == "--help" ]] && { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
load_settings
run_submit --deploy-mode client --conf "spark.cores.max=$((NUM_EXECUTORS * EXECUTOR_CORES))" -- "$@"
