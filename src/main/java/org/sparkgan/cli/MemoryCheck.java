package org.sparkgan.cli;

import org.bytedeco.javacpp.Pointer;
import org.sparkgan.BadInputException;
import org.sparkgan.train.TrainConfig;

/**
 * Refuses, before any work, a JVM whose off-heap limit (where ND4J keeps every array) is too small for the chosen
 * model: otherwise the run dies minutes later with an allocation error deep inside a convolution.
 */
final class MemoryCheck {
    private MemoryCheck() {}

    /**
     * A conservative estimate of ND4J's peak off-heap bytes for one training JVM: parameters, gradients and two RMSprop
     * copies of both networks (×4 floats), plus G's widest activations and their gradients for 2·batch images over its
     * five convolutions, with im2col-style working memory (×3), plus the images of one batch.
     */
    static long estimateOffHeapBytes(TrainConfig c) {
        long f = c.model().generatorFilters();
        long params = 4L * 4 * (c.model().latentDim() * (long) c.model().generatorDenseChannels() * 256
                + 3L * f * f * 25 + f * f * 16 + 2L * c.model().discriminatorFilters() * c.model().discriminatorFilters() * 16);
        long activations = 4L * 3 * 2 * c.batchSize() * 5 * f * 32 * 32;
        return params + activations + 256L * 1024 * 1024; // + the native libraries' own working set
    }

    static void requireOffHeapFor(TrainConfig c) {
        requireOffHeapFor(c, Pointer.maxBytes());
    }

    /** @param limit the off-heap limit in bytes; 0 or less means none */
    static void requireOffHeapFor(TrainConfig c, long limit) {
        long need = estimateOffHeapBytes(c);
        if (limit > 0 && limit < need) {
            throw new BadInputException(String.format("off-heap limit %,d MB is below the ~%,d MB that preset %s at "
                    + "batch %d needs: raise it with -Dorg.bytedeco.javacpp.maxbytes=%dm (or a larger -Xmx, which "
                    + "sets the default)", limit >> 20, need >> 20, c.preset(), c.batchSize(), (need >> 20) * 2));
        }
    }
}
