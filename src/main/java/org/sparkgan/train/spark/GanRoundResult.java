package org.sparkgan.train.spark;

import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.train.BlasKernels;
import org.sparkgan.train.GanStep;

import java.util.List;

/**
 * One worker's round: dl4j-spark's parameter-averaging result, whose parameters and updater state hold G's followed by
 * D's, plus what the driver logs — the worker's index, the values of its last step, its compute time, threads and
 * OpenBLAS kernels.
 */
public final class GanRoundResult extends ParameterAveragingTrainingResult {
    private final int worker;
    private final GanStep.Result last;
    private final double computeSeconds;
    private final int threads;

    public GanRoundResult(INDArray parameters, INDArray updaterState, int worker, GanStep.Result last,
                          double computeSeconds, int threads) {
        super(parameters, updaterState, last.dLoss(), List.of(), List.of(), List.of());
        this.worker = worker;
        this.last = last;
        this.computeSeconds = computeSeconds;
        this.threads = threads;
    }

    /** dl4j-spark's results are not Serializable (it aggregates them on the executors): this copy travels. */
    public RoundSum sum() {
        return RoundSum.of(getParameters().dup().data().asFloat(), getUpdaterState().dup().data().asFloat(),
                new RoundSum.Report(worker, last, computeSeconds, threads, BlasKernels.coreType()));
    }
}
