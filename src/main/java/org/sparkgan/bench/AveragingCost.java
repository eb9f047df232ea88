package org.sparkgan.bench;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkgan.model.Dcgan;
import org.sparkgan.train.BlasKernels;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.spark.Averaging;
import org.sparkgan.train.spark.RoundSum;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * What a round's averaging costs, part by part, on the Spark cluster at hand: the tree mean of W model-sized sums
 * ({@link Averaging#treeSum}, as training runs it) timed whole, with the bytes each tree level writes to Spark's
 * shuffle; the same tree over empty sums (Spark's scheduling alone); and, in the driver, serialising and
 * deserialising one sum with the session's serializer and one element-wise addition. What the tree takes beyond the
 * empty tree, its levels' serialisation and additions and the root's trip to the driver is the moving of bytes (on
 * one machine, memory copies).
 */
public final class AveragingCost {
    /** One level of the tree: how many sums it writes to the shuffle, and their bytes (Spark's shuffle write). */
    public record Level(int sums, long shuffleBytes) {}

    /** The tree at W workers: medians of whole tree means, of empty ones, and the levels of one. */
    public record Tree(int workers, double seconds, double emptySeconds, List<Level> levels) {
        public int depth() {
            return levels.size();
        }
    }

    /**
     * @param floats          parameters and RMSprop states of G and D: what every worker sends
     * @param serializedBytes one sum as the session's serializer writes it
     */
    public record Result(long floats, long serializedBytes, double serializeSeconds, double deserializeSeconds,
                         double addSeconds, List<Tree> trees) {}

    private AveragingCost() {}

    /** The configured model's tree at W = 1 to {@code c.workers()}, {@code times} times each. */
    public static Result run(JavaSparkContext sc, TrainConfig c, int times) {
        MultiLayerNetwork g = Dcgan.generator(c.model(), c.optimizer(), 1), d = Dcgan.discriminator(c.model(), c.optimizer(), 2);
        // a fresh network's RMSprop state is all zeros, which Spark's shuffle compression would all but remove;
        // a training run's is not: random squared-gradient-sized values stand in for it
        float[] state = Bench.flatUpdaterState(g, d);
        Random random = new Random(c.seed());
        for (int i = 0; i < state.length; i++) state[i] = 1e-4f * random.nextFloat();
        return run(sc, Bench.flatParameters(g, d), state, IntStream.rangeClosed(1, c.workers()).boxed().toList(), times);
    }

    /** The tree at each of {@code workerCounts}, {@code times} times each, over copies of the given model arrays. */
    static Result run(JavaSparkContext sc, float[] parameters, float[] updaterState, List<Integer> workerCounts,
                      int times) {
        RoundSum one = RoundSum.of(parameters, updaterState, report(0));
        SerializerInstance serializer = SparkEnv.get().serializer().newInstance();
        ClassTag<RoundSum> tag = ClassTag$.MODULE$.apply(RoundSum.class);
        double[] serialize = new double[times], deserialize = new double[times], add = new double[times];
        long bytes = 0;
        for (int i = 0; i < times; i++) {
            long t0 = System.nanoTime();
            ByteBuffer written = serializer.serialize(one, tag);
            long t1 = System.nanoTime();
            bytes = written.remaining();
            serializer.deserialize(written, tag);
            long t2 = System.nanoTime();
            RoundSum.plus(one, one);
            long t3 = System.nanoTime();
            serialize[i] = (t1 - t0) / 1e9;
            deserialize[i] = (t2 - t1) / 1e9;
            add[i] = (t3 - t2) / 1e9;
        }
        List<Tree> trees = new ArrayList<>();
        for (int w : workerCounts) trees.add(tree(sc, one, w, times));
        return new Result(parameters.length + updaterState.length, bytes, Bench.median(serialize),
                Bench.median(deserialize), Bench.median(add), trees);
    }

    private static Tree tree(JavaSparkContext sc, RoundSum model, int workers, int times) {
        RoundSum empty = RoundSum.of(new float[0], new float[0], model.reports().get(0));
        double[] seconds = new double[times], emptySeconds = new double[times];
        List<Level> levels = List.of();
        for (int i = 0; i < times; i++) {
            ShuffleWrites writes = ShuffleWrites.count(sc.sc());
            seconds[i] = treeSeconds(sc, model, workers);
            levels = writes.levels();
            emptySeconds[i] = treeSeconds(sc, empty, workers);
        }
        return new Tree(workers, Bench.median(seconds), Bench.median(emptySeconds), levels);
    }

    /**
     * Seconds of each of {@code times} tree means alone over {@code workers} cached copies of one model's flat
     * parameters and states (for {@link Bench#spark}: the averaging share of a round without the workers' compute).
     */
    public static double[] treeMeans(JavaSparkContext sc, float[] parameters, float[] updaterState, int workers,
                                     int times) {
        RoundSum sum = RoundSum.of(parameters, updaterState, report(0));
        double[] seconds = new double[times];
        for (int i = 0; i < times; i++) seconds[i] = treeSeconds(sc, sum, workers);
        return seconds;
    }

    /** One tree mean over {@code workers} cached copies of {@code sum}, timed from the sums in cache to the mean. */
    private static double treeSeconds(JavaSparkContext sc, RoundSum sum, int workers) {
        Broadcast<RoundSum> model = sc.broadcast(sum);
        JavaRDD<RoundSum> perWorker = sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers)
                .map(w -> RoundSum.of(model.value().parameters(), model.value().updaterState(),
                        report(w)))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        perWorker.count();
        long t0 = System.nanoTime();
        RoundSum total = Averaging.treeSum(perWorker);
        Averaging.mean(total.parameters(), workers);
        Averaging.mean(total.updaterState(), workers);
        double seconds = (System.nanoTime() - t0) / 1e9;
        perWorker.unpersist(true);
        model.destroy();
        return seconds;
    }

    /** The shuffle bytes written by each stage that completes while it listens, in stage order. */
    private static final class ShuffleWrites extends SparkListener {
        private final SparkContext sc;
        private final Map<Integer, long[]> byStage = new TreeMap<>();

        private ShuffleWrites(SparkContext sc) {
            this.sc = sc;
        }

        static ShuffleWrites count(SparkContext sc) {
            ShuffleWrites writes = new ShuffleWrites(sc);
            sc.addSparkListener(writes);
            return writes;
        }

        @Override
        public synchronized void onStageCompleted(SparkListenerStageCompleted completed) {
            var info = completed.stageInfo();
            var shuffle = info.taskMetrics().shuffleWriteMetrics();
            if (shuffle.bytesWritten() > 0) {
                byStage.put(info.stageId(), new long[]{shuffle.recordsWritten(), shuffle.bytesWritten()});
            }
        }

        /** Stops listening; the levels of the one tree run meanwhile (the caching job writes no shuffle). */
        List<Level> levels() {
            try {
                sc.listenerBus().waitUntilEmpty();
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Spark's listener bus did not drain", e);
            }
            sc.removeSparkListener(this);
            synchronized (this) {
                return byStage.values().stream().map(v -> new Level((int) v[0], v[1])).toList();
            }
        }
    }

    public static Map<String, Object> toJson(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "averaging");
        m.put("model_floats", r.floats());
        m.put("serialized_bytes", r.serializedBytes());
        m.put("serialize_sec", r.serializeSeconds());
        m.put("deserialize_sec", r.deserializeSeconds());
        m.put("add_sec", r.addSeconds());
        m.put("trees", r.trees().stream().map(t -> Map.of("workers", t.workers(), "tree_sec", t.seconds(),
                "empty_tree_sec", t.emptySeconds(), "levels", t.levels().stream()
                        .map(l -> Map.of("sums", l.sums(), "shuffle_bytes", l.shuffleBytes())).toList())).toList());
        return m;
    }

    public static String toText(Result r) {
        StringBuilder sb = new StringBuilder(String.format(
                "averaging: one sum is %,d floats, %,d bytes serialized; serialize %.3f s, deserialize %.3f s, add two"
                        + " %.3f s (medians, in the driver)%n", r.floats(), r.serializedBytes(), r.serializeSeconds(),
                r.deserializeSeconds(), r.addSeconds()));
        sb.append(String.format("  %7s %5s %9s %11s %13s   %s%n", "workers", "depth", "tree s", "empty tree s",
                "moving s", "sums (shuffle MB) per level"));
        for (Tree t : r.trees()) {
            double moving = t.seconds() - t.emptySeconds() - r.serializeSeconds() - r.deserializeSeconds()
                    - t.depth() * (r.serializeSeconds() + r.deserializeSeconds() + r.addSeconds());
            sb.append(String.format("  %7d %5d %9.3f %11.3f %13.3f   %s%n", t.workers(), t.depth(), t.seconds(),
                    t.emptySeconds(), moving, String.join(", ", t.levels().stream()
                            .map(l -> String.format("%d (%.1f)", l.sums(), l.shuffleBytes() / 1e6)).toList())));
        }
        sb.append("  moving s: the tree's seconds beyond the empty tree, its levels' serialisation and additions and the"
                + " root's serialisation to the driver\n");
        return sb.toString();
    }

    /** A worker's report as the tree carries it (nothing here reads it). */
    private static RoundSum.Report report(int worker) {
        return new RoundSum.Report(worker, null, 0, 0, BlasKernels.coreType());
    }
}
