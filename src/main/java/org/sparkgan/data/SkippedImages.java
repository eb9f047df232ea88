package org.sparkgan.data;

import org.apache.spark.util.AccumulatorV2;

import java.util.List;
import java.util.TreeSet;

/**
 * Counts the images a prep job skipped and keeps the first few of their paths in sorted order, on the executors
 * and merged on the driver: a lake with many broken files never sends them all back.
 */
final class SkippedImages extends AccumulatorV2<String, SkippedImages.Value> {
    /** The count and the first paths, sorted. */
    record Value(long count, List<String> first) implements java.io.Serializable {}

    static final int KEPT = 5;
    private long count;
    private final TreeSet<String> first = new TreeSet<>();

    @Override
    public boolean isZero() {
        return count == 0;
    }

    @Override
    public SkippedImages copy() {
        SkippedImages c = new SkippedImages();
        c.merge(this);
        return c;
    }

    @Override
    public void reset() {
        count = 0;
        first.clear();
    }

    /** One skipped image: its path and why, "path (reason)". */
    @Override
    public void add(String pathAndReason) {
        count++;
        keep(pathAndReason);
    }

    @Override
    public void merge(AccumulatorV2<String, Value> other) {
        SkippedImages o = (SkippedImages) other;
        count += o.count;
        o.first.forEach(this::keep);
    }

    private void keep(String s) {
        first.add(s);
        if (first.size() > KEPT) first.pollLast();
    }

    @Override
    public Value value() {
        return new Value(count, List.copyOf(first));
    }
}
