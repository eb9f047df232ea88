package org.sparkgan.train;

import org.nd4j.linalg.factory.Nd4j;

/** ND4J's compute threads for this JVM: pinned for reproducible runs, or left to ND4J's default. */
public final class ComputeThreads {
    private ComputeThreads() {}

    /** Pins ND4J to {@code threads} threads; 0 leaves ND4J's default. */
    public static void pin(int threads) {
        if (threads > 0) {
            Nd4j.getEnvironment().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
        }
    }
}
