package org.sparkgan.train;

/**
 * Which OpenBLAS kernels this JVM's matrix products (the dense layers') use: those of the core type that
 * {@code OPENBLAS_CORETYPE} names, read by OpenBLAS once as it loads, or, without it, the ones OpenBLAS detects from
 * the CPU. Detection differs between CPU models, and OpenBLAS 0.3.19 (ND4J 1.0.0-M2's) does not know some recent
 * ones, so two JVMs of one run on the same machine computed different last bits when only one had the variable (a
 * YARN container does not inherit the submitting shell's environment). The submit scripts name Haswell's kernels for
 * every JVM of a run; a run records the driver's value and each task's.
 */
public final class BlasKernels {
    /** The value recorded for a JVM that left the choice to OpenBLAS's detection. */
    public static final String DETECTED = "detected";

    private BlasKernels() {}

    /** The core type this JVM's OpenBLAS was told to use, or {@link #DETECTED}. */
    public static String coreType() {
        String named = System.getenv("OPENBLAS_CORETYPE");
        return named == null || named.isBlank() ? DETECTED : named.trim();
    }

    /** Whether two JVMs' values name the same kernels (OpenBLAS reads the name case-insensitively). */
    public static boolean same(String a, String b) {
        return a.equalsIgnoreCase(b);
    }
}
