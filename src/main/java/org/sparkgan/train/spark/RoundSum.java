package org.sparkgan.train.spark;

import org.sparkgan.train.GanStep;

import java.io.Serializable;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The element-wise sum of some workers' round results — flat parameters and flat RMSprop states, G's followed by
 * D's — and each of those workers' small report, keyed by worker. One worker's result is the sum of one.
 */
public record RoundSum(float[] parameters, float[] updaterState, SortedMap<Integer, Report> reports)
        implements Serializable {

    /**
     * What the driver logs of one worker's round: its last step's values, its compute time, ND4J threads and
     * OpenBLAS kernels ({@link org.sparkgan.train.BlasKernels}).
     */
    public record Report(int worker, GanStep.Result last, double computeSeconds, int threads, String blasCoreType)
            implements Serializable {}

    public static RoundSum of(float[] parameters, float[] updaterState, Report report) {
        return new RoundSum(parameters, updaterState, new TreeMap<>(Collections.singletonMap(report.worker(), report)));
    }

    /**
     * Both sums added element-wise. Floating-point addition is commutative bit for bit, so where every sum meets
     * exactly one other (the fixed tree of {@link Averaging#treeSum}) the result does not depend on which came first.
     */
    public static RoundSum plus(RoundSum a, RoundSum b) {
        SortedMap<Integer, Report> reports = new TreeMap<>(a.reports);
        reports.putAll(b.reports);
        return new RoundSum(add(a.parameters, b.parameters), add(a.updaterState, b.updaterState), reports);
    }

    private static float[] add(float[] a, float[] b) {
        float[] sum = new float[a.length];
        for (int i = 0; i < a.length; i++) sum[i] = a[i] + b[i];
        return sum;
    }
}
