package org.sparkgan.train.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the serialized task results the driver receives (Spark's resultSize of every finished task), measured
 * rather than computed from array sizes: what averaging through the driver would cost and the tree does not.
 */
public final class DriverBytes extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private final AtomicLong bytes = new AtomicLong();

    private DriverBytes(SparkContext sc) {
        this.sc = sc;
    }

    /** Starts counting; {@link #close()} stops. */
    public static DriverBytes count(SparkContext sc) {
        DriverBytes counter = new DriverBytes(sc);
        sc.addSparkListener(counter);
        return counter;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) bytes.addAndGet(end.taskMetrics().resultSize());
    }

    /** The bytes counted so far and resets the count; waits until Spark has delivered the events of jobs run. */
    public long take() {
        try {
            sc.listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Spark's listener bus did not drain", e);
        }
        return bytes.getAndSet(0);
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}
