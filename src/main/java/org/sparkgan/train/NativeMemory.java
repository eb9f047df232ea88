package org.sparkgan.train;

/**
 * ND4J frees an array's native memory only when the JVM's garbage collector finds the array unreachable, and nothing
 * tells the collector about that memory: an array's Java side is a few hundred bytes, its data up to megabytes. A
 * training step leaves hundreds of megabytes of such arrays behind (DL4J's detached activations and gradients), and
 * with a mostly empty heap the collector runs rarely, so they pile up: small-preset runs grew to 10 and 14 GB resident
 * and were killed by the kernel, and one held 3.8 GB that a full collection freed at once (5.3 → 1.5 GB). So the step
 * asks for a full collection when {@link #WINDOW_MILLIS} have passed since the last one: resident memory then stayed
 * at 0.8-1.4 GB over 250 steps, for about 1% of the step time. (ND4J's own periodic collection did not run here, and
 * glibc's MALLOC_MMAP_THRESHOLD_=131072 returned memory too but cost 20% of the step in page faults.) Collections
 * change no number a step computes.
 */
public final class NativeMemory {
    /** The most time between two full collections; each costs a few hundred milliseconds at most. */
    public static final long WINDOW_MILLIS = 5_000;

    private static final Object LOCK = new Object();
    private static long lastCollection = System.currentTimeMillis();

    private NativeMemory() {}

    /** A full collection if the window has passed since the last (one per JVM, whatever the number of tasks). */
    public static void collectIfDue() {
        synchronized (LOCK) {
            long now = System.currentTimeMillis();
            if (now - lastCollection < WINDOW_MILLIS) return;
            lastCollection = now;
        }
        System.gc();
    }
}
