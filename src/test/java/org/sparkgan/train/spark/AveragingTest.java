package org.sparkgan.train.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparkgan.testing.TestSpark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tree of sums in local[2], on workers' results made up here: its bits, its order-independence, its bytes. */
class AveragingTest {
    static final int VALUES = 100_003;

    static JavaSparkContext sc() {
        return JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    }

    /** Worker w's made-up result: values spread over many magnitudes, so float sums depend on their order. */
    static RoundSum result(int w) {
        Random rng = new Random(1000 + w);
        float[] p = new float[VALUES], u = new float[VALUES];
        for (int i = 0; i < VALUES; i++) {
            p[i] = (float) (rng.nextGaussian() * Math.exp(rng.nextGaussian() * 3));
            u[i] = (float) Math.exp(rng.nextGaussian() * 5);
        }
        return RoundSum.of(p, u, new RoundSum.Report(w, null, 0.1 * w, 1, "Haswell"));
    }

    /** One result per partition, worker w's computed in partition w, with partition {@code slow} held back. */
    static JavaRDD<RoundSum> workers(int n, int slow) {
        return sc().parallelize(IntStream.range(0, n).boxed().toList(), n).map(w -> {
            if (w == slow) Thread.sleep(700);
            return result(w);
        });
    }

    static float[] independentMean(int n, boolean parameters) {
        float[] sum = null;
        for (int w = 0; w < n; w++) { // the worker-order sum, which the tree is for up to 3 workers
            float[] v = parameters ? result(w).parameters() : result(w).updaterState();
            if (sum == null) sum = v.clone();
            else for (int i = 0; i < VALUES; i++) sum[i] += v[i];
        }
        float[] mean = new float[VALUES];
        for (int i = 0; i < VALUES; i++) mean[i] = sum[i] / n;
        return mean;
    }

    @Test
    void treeMeanIsTheIndependentMeanForTwoAndThreeWorkers() {
        for (int n : new int[]{2, 3}) {
            RoundSum sum = Averaging.treeSum(workers(n, -1));
            assertArrayEquals(independentMean(n, true), Averaging.mean(sum.parameters(), n), n + " workers' parameters");
            assertArrayEquals(independentMean(n, false), Averaging.mean(sum.updaterState(), n), n + " workers' states");
            assertEquals(IntStream.range(0, n).boxed().toList(), List.copyOf(sum.reports().keySet()));
            assertEquals(0.1 * (n - 1), sum.reports().get(n - 1).computeSeconds(), "each worker keeps its own report");
        }
    }

    @Test
    void theSameBitsWhicheverTaskFinishesLast() {
        // the data can tell orders apart: summing in another order changes bits
        float[] a = result(0).parameters(), b = result(1).parameters(), c = result(2).parameters();
        boolean orderShows = false;
        for (int i = 0; i < VALUES && !orderShows; i++) orderShows = (a[i] + b[i]) + c[i] != (c[i] + b[i]) + a[i];
        assertTrue(orderShows, "made-up results whose sums depend on order");

        for (int n : new int[]{3, 5}) {
            float[] expected = Averaging.treeSum(workers(n, -1)).parameters();
            for (int slow = 0; slow < n; slow++) {
                assertArrayEquals(expected, Averaging.treeSum(workers(n, slow)).parameters(),
                        n + " workers, worker " + slow + " last");
            }
        }
    }

    /**
     * The driver receives one model's worth of numbers whatever the number of workers: measured as Spark's task
     * result sizes, against collecting every worker's result (what the engine did before the tree).
     */
    @Test
    void theDriverReceivesOneSumWhateverTheWorkers() {
        long oneModel = 2L * VALUES * Float.BYTES;
        List<Long> collected = new ArrayList<>(), tree = new ArrayList<>();
        try (DriverBytes bytes = DriverBytes.count(sc().sc())) {
            for (int n : new int[]{1, 2, 4}) {
                bytes.take();
                workers(n, -1).collect();
                collected.add(bytes.take());
                Averaging.treeSum(workers(n, -1));
                tree.add(bytes.take());
            }
        }
        for (int i = 0; i < 3; i++) { // beside the sum, each task reports a few KB of status and metrics
            assertTrue(tree.get(i) >= oneModel && tree.get(i) < oneModel + 32 * 1024, "tree " + tree + " vs " + oneModel);
        }
        assertTrue(collected.get(2) > 3.9 * oneModel, "collecting 4 results: " + collected);
    }
}
