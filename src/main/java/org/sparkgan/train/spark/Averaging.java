package org.sparkgan.train.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

import java.util.List;

/**
 * The workers' mean, summed on the executors through a fixed binary tree keyed by worker index so the driver
 * receives one sum (the size of one model) whatever the number of workers, and the bits never depend on which task
 * finished first.
 * <p>Why not Spark's treeAggregate (or dl4j-spark's element-wise add functions, which ParameterAveragingTrainingMaster
 * runs in it): it merges partial sums in the order tasks finish, whose float sums differ in the last bits from one run
 * to the next, and it still hands the driver several partial sums (about W^(1/depth), never fewer than 2–3).
 * Here level l adds the sums of nodes 2j and 2j+1 of level l−1 into node j: every node is the sum of at most two
 * values, and a + b == b + a exactly, so reduceByKey's arrival order cannot show. For W ≤ 3 this is the worker-order
 * sum ((w0 + w1) + w2); for 4 it is (w0 + w1) + (w2 + w3).
 */
public final class Averaging {
    private Averaging() {}

    /** The sum of one {@link RoundSum} per worker, each keyed by its only worker; collects one value. */
    public static RoundSum treeSum(JavaRDD<RoundSum> perWorker) {
        JavaPairRDD<Integer, RoundSum> level = perWorker.mapToPair(s -> new Tuple2<>(s.reports().firstKey(), s));
        for (int nodes = perWorker.getNumPartitions(); nodes > 1; ) {
            nodes = (nodes + 1) / 2;
            level = level.mapToPair(t -> new Tuple2<>(t._1() / 2, t._2())).reduceByKey(RoundSum::plus, nodes);
        }
        List<RoundSum> root = level.values().collect();
        if (root.size() != 1) throw new IllegalStateException("expected one sum, got " + root.size());
        return root.get(0);
    }

    /** {@code sum / n} element-wise: the mean, divided once. */
    public static float[] mean(float[] sum, int n) {
        float[] mean = new float[sum.length];
        for (int i = 0; i < sum.length; i++) mean[i] = sum[i] / n;
        return mean;
    }
}
