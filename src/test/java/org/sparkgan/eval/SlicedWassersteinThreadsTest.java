package org.sparkgan.eval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.train.ComputeThreads;

import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Same seed, same value, bit for bit, whatever the number of threads that compute it. */
class SlicedWassersteinThreadsTest {
    @Test
    void theValueDoesNotDependOnTheThreadCount() throws Exception {
        INDArray frogs = EvalFixtures.frogs("test", 300), noise = EvalFixtures.noise(300, 3);
        SlicedWasserstein.Result one = withThreads(1, frogs, noise);
        assertEquals(one, withThreads(2, frogs, noise));
        assertEquals(one, withThreads(8, frogs, noise));
    }

    /** The distance computed in a pool of {@code threads}, with ND4J's own count pinned to the same number. */
    private static SlicedWasserstein.Result withThreads(int threads, INDArray a, INDArray b) throws Exception {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            return pool.submit(() -> {
                ComputeThreads.pin(threads);
                return SlicedWasserstein.distance(a, b, 5);
            }).get();
        } finally {
            pool.shutdown();
        }
    }
}
