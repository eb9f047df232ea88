package org.sparkgan.train;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * OpenMP's thread count, which oneDNN's convolutions reduce with, belongs to the calling thread: a Spark task's thread
 * does not inherit the count that ND4J set on the thread that loaded it, so every engine pins it where the ops run.
 */
class ComputeThreadsTest {
    @Test
    void pinSetsTheCallingThreadsOpenMpCount() throws Exception {
        ComputeThreads.pin(3);
        assertEquals(3, ComputeThreads.openMpThreads());

        AtomicInteger unpinned = new AtomicInteger(), pinned = new AtomicInteger();
        Thread task = new Thread(() -> {
            unpinned.set(ComputeThreads.openMpThreads());
            ComputeThreads.pin(1);
            pinned.set(ComputeThreads.openMpThreads());
        });
        task.start();
        task.join();
        // the fresh thread starts from OpenMP's process default (OMP_NUM_THREADS or the cores), not this thread's 3
        assertEquals(defaultCount(), unpinned.get());
        assertEquals(1, pinned.get());
        assertEquals(3, ComputeThreads.openMpThreads(), "another thread's pin leaves this one's count alone");
    }

    /** BLAS's count is the process's, not the environment's: pinned with the rest, whatever OMP_NUM_THREADS says. */
    @Test
    void pinSetsBlasThreads() {
        ComputeThreads.pin(1);
        assertEquals(1, ComputeThreads.blasThreads());
        ComputeThreads.pin(2);
        assertEquals(2, ComputeThreads.blasThreads());
    }

    private static int defaultCount() {
        String env = System.getenv("OMP_NUM_THREADS");
        return env != null ? Integer.parseInt(env.trim()) : Runtime.getRuntime().availableProcessors();
    }
}
