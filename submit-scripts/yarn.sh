#!/usr/bin/env bash
# sparkgan on YARN (cluster deploy mode: the driver runs in the cluster, so run folders belong on HDFS):
#   submit-scripts/yarn.sh train --data hdfs:///lake/cifar10 --output hdfs:///runs/r1 --workers 4
# The master is yarn unless --master or MASTER says otherwise; HADOOP_CONF_DIR must point at the cluster's
# configuration. YARN restarts a failed driver (YARN_MAX_APP_ATTEMPTS attempts); train gets --resume auto, so the
# next attempt continues from the newest checkpoint. --dry-run prints the spark-submit command.
# Settings: conf/sparkgan-submit.conf.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ "${1:-}" == "--help" ]] && { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
load_settings
export MASTER="${MASTER:-yarn}"
mapfile -d '' args < <(restartable_args "$@")
run_submit --deploy-mode cluster --num-executors "$NUM_EXECUTORS" \
  --conf "spark.yarn.maxAppAttempts=$YARN_MAX_APP_ATTEMPTS" \
  --conf "spark.yarn.appMasterEnv.OMP_WAIT_POLICY=$OMP_WAIT_POLICY" \
  --conf "spark.yarn.appMasterEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE" -- "${args[@]}"
