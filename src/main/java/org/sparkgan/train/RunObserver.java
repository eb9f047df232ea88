package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * Watches a training run from outside the training package — quality metrics, warnings, reports — so the trainer
 * needs none of them. Fields an observer returns are added to the metrics record of that step.
 */
public interface RunObserver {
    /**
     * After each round, which advanced the run from {@code before} to {@code after} steps: the G being trained, and
     * its moving average (what samples come from), or null when the run keeps none.
     */
    default Map<String, Object> afterRound(long before, long after, MultiLayerNetwork generator, MultiLayerNetwork ema) {
        return Map.of();
    }

    /** After the fixed-latent grid of {@code step} was generated (NCHW in [-1, 1]). */
    default Map<String, Object> afterSamples(long step, INDArray grid) {
        return Map.of();
    }

    /** After a metrics record was added: warnings about the run so far, printed and recorded with the step. */
    default List<String> warnings(List<Map<String, Object>> metrics) {
        return List.of();
    }

    /** After a metrics record (losses, speeds, what observers added) was written: the run's progress. */
    default void afterRecord(Map<String, Object> record) {}

    /** After a checkpoint was written. */
    default void afterCheckpoint(long step) throws java.io.IOException {}
}
