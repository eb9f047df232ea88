package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;
import java.util.Map;

/**
 * What advances the GAN: in this JVM one step per round, on Spark k local steps per worker and an average.
 * The {@link Trainer} keeps the run folder around it either way.
 */
public interface TrainingEngine extends AutoCloseable {
    /** The key of {@link #topology()} naming the engine. */
    String ENGINE = "engine";

    /** Steps one round advances the run by. */
    int stepsPerRound();

    /** Workers that each take those steps on their own batches before the average: 1 in this JVM. */
    default int workers() {
        return 1;
    }

    /** Runs the round that follows {@code lastStep}; afterwards {@link #generator()} and {@link #discriminator()} hold its result. */
    Round runRound(long lastStep);

    /** The current generator (on Spark: the driver's copy, after averaging). */
    MultiLayerNetwork generator();

    MultiLayerNetwork discriminator();

    /**
     * Puts the engine back to {@code state} (a rollback from a diverged round): its networks take the state's
     * parameters, RMSprop states and iteration counts, and later steps draw from the state's random stream.
     */
    void restore(TrainingState state);

    /** What the data order and random streams depend on besides the configuration, recorded in checkpoints. */
    Map<String, Object> topology();

    /** Where the data stands after {@code step}, recorded in checkpoints. */
    Map<String, Object> dataPosition(long step);

    /** Extra fields for metrics.jsonl (e.g. per-worker values); empty by default. */
    default Map<String, Object> extraMetrics(Round round) {
        return Map.of();
    }

    @Override
    default void close() {}

    /**
     * One round: the values of its last step (mean over workers), each worker's values, the longest worker compute
     * time and the round's wall time.
     */
    record Round(GanStep.Result mean, List<GanStep.Result> perWorker, double computeSeconds, double wallSeconds) {}

    /** Builds the engine from the state a run starts or resumes from. */
    @FunctionalInterface
    interface Factory {
        TrainingEngine create(TrainingState state);
    }
}
