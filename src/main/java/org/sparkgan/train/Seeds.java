package org.sparkgan.train;

/**
 * Every random draw of a run derives from the run seed through explicit, stable keys (run seed → step → purpose),
 * so a run restarted from a checkpoint draws exactly what the uninterrupted run would have drawn.
 */
public final class Seeds {
    private Seeds() {}

    /** A well-mixed seed for {@code parts} under {@code seed} (SplitMix64 finaliser over each part). */
    public static long derive(long seed, long... parts) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (long p : parts) h = mix(h ^ mix(p + 0x632BE59BD9B4E019L));
        return h;
    }

    /**
     * The seed of Spark worker {@code w}: worker 0 uses the run seed itself, so one worker draws exactly what the
     * single-JVM trainer draws; the others get independent streams.
     */
    public static long worker(long seed, int w) {
        return w == 0 ? seed : derive(seed, 0x3057L, w);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
