#!/usr/bin/env bash
# sparkgan on Kubernetes:
#   submit-scripts/k8s.sh --master k8s://https://api.example:6443 train --data s3a://lake/cifar10 --output hdfs://nn/runs/r1
# The image (K8S_IMAGE) must hold Spark 3.5 for Scala 2.12 on Java 17; the application jar is passed with
# spark.kubernetes.file.upload.path (set SPARKGAN_UPLOAD_PATH to a Hadoop URI the pods can read).
# train gets --resume auto, so a driver pod started again (by a Job or an operator) continues from the newest
# checkpoint. --dry-run prints the spark-submit command. Settings: conf/sparkgan-submit.conf.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ "${1:-}" == "--help" ]] && { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
load_settings
mapfile -d '' args < <(restartable_args "$@")
run_submit --deploy-mode cluster \
  --conf "spark.executor.instances=$NUM_EXECUTORS" \
  --conf "spark.kubernetes.container.image=$K8S_IMAGE" \
  --conf "spark.kubernetes.namespace=$K8S_NAMESPACE" \
  --conf "spark.kubernetes.driverEnv.OMP_WAIT_POLICY=$OMP_WAIT_POLICY" \
  --conf "spark.kubernetes.driverEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE" \
  --conf "spark.kubernetes.file.upload.path=${SPARKGAN_UPLOAD_PATH:-hdfs:///tmp/sparkgan-upload}" \
  -- "${args[@]}"
