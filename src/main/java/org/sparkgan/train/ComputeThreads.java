package org.sparkgan.train;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * ND4J's compute threads for the calling thread: pinned for reproducible runs, or ND4J's own count (one per core).
 *
 * <p>Both of libnd4j's thread counts are set: its own pool's, and OpenMP's, which oneDNN's convolutions use. ND4J
 * 1.0.0-M2 sets OpenMP's to 4 while it initializes, whatever the core count or {@code OMP_NUM_THREADS} say
 * ({@code NativeOpsHolder}'s constructor ends with {@code setOmpNumThreads(4)}); on 2 cores, 4 OpenMP threads take
 * turns at the scheduler's tick inside oneDNN's backward reductions, which made small convolutions' backward passes
 * 2-5× slower and their times vary call to call. OpenMP's count is per thread, so this is called on the thread that
 * runs the ops.
 *
 * <p>The BLAS library's (OpenBLAS's) count is a third, one per process, which ND4J sets once from
 * {@code OMP_NUM_THREADS} (else the cores) and which splits the dense layers' matrix products: with 2 threads instead of
 * 1 their last bits differ. Left to the environment, a Spark task in local mode (the driver's environment) and the same
 * task in a YARN container ({@code OMP_NUM_THREADS} from {@code spark.executorEnv}) computed different networks; it is
 * pinned with the rest.
 */
public final class ComputeThreads {
    /**
     * ND4J's own count (OMP_NUM_THREADS, else one per core), read before anything here pins: pins change ND4J's
     * process-wide value, and in local mode a task's pin would otherwise become the driver's "0".
     */
    private static final int ND4J_DEFAULT = Nd4j.getEnvironment().maxThreads();

    private ComputeThreads() {}

    /** Pins ND4J to {@code threads} threads; 0 takes ND4J's own count (one per core). Returns the count set. */
    public static int pin(int threads) {
        int count = threads > 0 ? threads : ND4J_DEFAULT;
        Nd4j.getEnvironment().setMaxThreads(count);
        Nd4j.getEnvironment().setMaxMasterThreads(count);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(count);
        Nd4j.factory().blas().setMaxThreads(count);
        return count;
    }

    /** The BLAS library's thread count (one per process): what the dense layers' matrix products use. */
    public static int blasThreads() {
        return Nd4j.factory().blas().getMaxThreads();
    }

    /** OpenMP's thread count for the calling thread: what oneDNN's convolutions will use. */
    public static int openMpThreads() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }
}
