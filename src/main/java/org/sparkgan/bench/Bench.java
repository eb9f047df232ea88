package org.sparkgan.bench;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.model.Dcgan;
import org.sparkgan.model.FlopCount;
import org.sparkgan.train.TrainingState;
import org.sparkgan.train.ComputeThreads;
import org.sparkgan.train.GanStep;
import org.sparkgan.train.Seeds;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.TrainingEngine;
import org.sparkgan.train.spark.Shards;
import org.sparkgan.train.spark.DriverBytes;
import org.sparkgan.train.spark.SparkEngine;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times the product's own training step by phase — fake generation, D step, G step, and on Spark the averaging (the
 * part of a round outside the workers' compute) — on random images (the arithmetic does not depend on pixel values),
 * and reports medians, images/s, achieved GFLOP/s from {@link FlopCount} and process CPU seconds.
 */
public final class Bench {
    private Bench() {}

    /** Seconds of one phase over the measured iterations. */
    public record Phase(String name, double[] seconds, double flops) {
        public double median() {
            return Bench.median(seconds);
        }

        public double min() {
            return Arrays.stream(seconds).min().orElse(0);
        }

        public double max() {
            return Arrays.stream(seconds).max().orElse(0);
        }

        /** Achieved GFLOP/s at the median; NaN for phases without arithmetic (averaging). */
        public double gflops() {
            return flops > 0 ? flops / median() / 1e9 : Double.NaN;
        }
    }

    /** One benchmarked mode: its phases, images per second (real images through D) and CPU seconds used. */
    public record Report(String mode, List<Phase> phases, double imagesPerSecond, double cpuSeconds,
                         double wallSeconds, Driver driver) {
        /** A report without a driver (the single JVM). */
        public Report(String mode, List<Phase> phases, double imagesPerSecond, double cpuSeconds, double wallSeconds) {
            this(mode, phases, imagesPerSecond, cpuSeconds, wallSeconds, null);
        }
    }

    /**
     * What the Spark driver pays per round: the task-result bytes it receives (Spark's resultSize of every task), and
     * its JVM heap in use and resident memory (RSS, which holds ND4J's arrays), medians over rounds, each read after
     * the round's averaging and a full GC, so they show what the round leaves held, not garbage awaiting collection.
     */
    public record Driver(long bytesPerRound, long heapBytes, long residentBytes) {}

    /**
     * The single-JVM step: {@code warmup} unmeasured then {@code iterations} measured steps, with the convolutions
     * run as {@code layers} (DL4J's own layers are the "before" of the speed work).
     */
    public static Report singleJvm(TrainConfig c, Dcgan.Convolutions layers, int warmup, int iterations) {
        GanStep step = freshStep(c, layers);
        INDArray reals = randomReals(c);
        for (int i = 0; i < warmup; i++) step.run(reals, Seeds.step(c.seed(), i + 1));
        double[] fake = new double[iterations], dStep = new double[iterations], gStep = new double[iterations],
                total = new double[iterations];
        long cpu0 = cpuNanos(), wall0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            GanStep.Result r = step.run(reals, Seeds.step(c.seed(), warmup + i + 1));
            total[i] = (System.nanoTime() - t0) / 1e9;
            fake[i] = r.fakeSeconds();
            dStep[i] = r.dSeconds();
            gStep[i] = r.gSeconds();
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        FlopCount.Step flops = FlopCount.ganStep(c.model(), c.batchSize(), c.reuseFakes());
        List<Phase> phases = List.of(new Phase("fake generation", fake, flops.fakes()),
                new Phase("D step", dStep, flops.dStep()), new Phase("G step", gStep, flops.gStep()),
                new Phase("iteration", total, flops.total()));
        return new Report("single JVM, convolutions: " + layers + ", " + ComputeThreads.openMpThreads() + " OpenMP threads", phases, iterations * c.batchSize() / wall, (cpuNanos() - cpu0) / 1e9, wall);
    }

    /** The product's step on a freshly initialised G and D (seeds 1 and 2), as every single-JVM bench times it. */
    static GanStep freshStep(TrainConfig c, Dcgan.Convolutions layers) {
        return new GanStep(Dcgan.generator(c.model(), c.optimizer(), 1, layers),
                Dcgan.discriminator(c.model(), c.optimizer(), 2, layers), c);
    }

    /** A batch of uniform random images in [-1, 1), the range of real ones. */
    static INDArray randomReals(TrainConfig c) {
        int side = c.model().resolution();
        return Nd4j.rand(DataType.FLOAT, c.batchSize(), 3, side, side).muli(2).subi(1);
    }

    /** Each layer of G and D forward and backward on its own: see {@link LayerProfile}. */
    public static Report layers(TrainConfig c, Dcgan.Convolutions layers, int warmup, int iterations) {
        return LayerProfile.run(c, layers, warmup, iterations);
    }

    /**
     * Spark in {@code spark}'s master: {@code workers} shards of random images, rounds of k = averaging-frequency
     * local steps; phases per step (means over workers) plus the averaging share of each round.
     */
    public static Report spark(SparkSession spark, TrainConfig c, int warmupRounds, int rounds) {
        int k = c.averagingFrequency();
        int perShard = Math.max(c.batchSize() * 4, 100);
        Random rng = new Random(c.seed());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < perShard * c.workers(); i++) {
            byte[] image = new byte[Dcgan.CHANNELS * c.model().resolution() * c.model().resolution()];
            rng.nextBytes(image);
            rows.add(RowFactory.create((long) i, image));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("image", DataTypes.BinaryType);
        Dataset<Row> images = spark.createDataFrame(rows, schema);
        JavaRDD<byte[]> shards = Shards.of(images, c.workers());
        shards.count();
        MultiLayerNetwork g = Dcgan.generator(c.model(), c.optimizer(), 1), d = Dcgan.discriminator(c.model(), c.optimizer(), 2);
        SparkEngine engine = new SparkEngine(JavaSparkContext.fromSparkContext(spark.sparkContext()), shards, c,
                new TrainingState(0, g, d));
        long step = 0;
        for (int i = 0; i < warmupRounds; i++) {
            engine.runRound(step);
            step += k;
        }
        double[] fake = new double[rounds], dStep = new double[rounds], gStep = new double[rounds],
                averaging = new double[rounds], round = new double[rounds], heap = new double[rounds],
                resident = new double[rounds];
        DriverBytes received = DriverBytes.count(spark.sparkContext());
        received.take();
        long cpu0 = cpuNanos(), wall0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            TrainingEngine.Round r = engine.runRound(step);
            step += k;
            fake[i] = r.mean().fakeSeconds();
            dStep[i] = r.mean().dSeconds();
            gStep[i] = r.mean().gSeconds();
            averaging[i] = Math.max(0, r.wallSeconds() - r.computeSeconds());
            round[i] = r.wallSeconds();
            System.gc(); // after the round's clock stopped
            heap[i] = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            resident[i] = Pointer.physicalBytes(); // the process's RSS: ND4J's arrays live outside the heap
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        long cpu = cpuNanos() - cpu0;
        long driverBytes = received.take() / rounds;
        received.close();
        double[] treeMean = AveragingCost.treeMeans(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                flatParameters(g, d), flatUpdaterState(g, d), c.workers(), rounds);
        FlopCount.Step flops = FlopCount.ganStep(c.model(), c.batchSize(), c.reuseFakes());
        List<Phase> phases = List.of(new Phase("fake generation", fake, flops.fakes()),
                new Phase("D step", dStep, flops.dStep()), new Phase("G step", gStep, flops.gStep()),
                new Phase("averaging (outside compute)", averaging, 0),
                new Phase("tree mean alone (" + c.workers() + " sums)", treeMean, 0),
                new Phase("round (" + k + " steps)", round, flops.total() * k * c.workers()));
        return new Report("Spark " + spark.sparkContext().master() + ", " + c.workers() + " workers, k=" + k, phases,
                (double) rounds * k * c.batchSize() * c.workers() / wall, cpu / 1e9, wall,
                new Driver(driverBytes, (long) median(heap), (long) median(resident)));
    }

    /** G's parameters then D's, flat: what a worker sends of the networks. */
    static float[] flatParameters(MultiLayerNetwork g, MultiLayerNetwork d) {
        return Nd4j.concat(0, g.params().reshape(-1), d.params().reshape(-1)).toFloatVector();
    }

    /** G's RMSprop state then D's, flat. */
    static float[] flatUpdaterState(MultiLayerNetwork g, MultiLayerNetwork d) {
        return Nd4j.concat(0, g.getUpdater().getStateViewArray().reshape(-1),
                d.getUpdater().getStateViewArray().reshape(-1)).toFloatVector();
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** CPU time of this process (all threads); on Spark local mode that includes the executors. */
    static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime();
        return 0;
    }

    public static Map<String, Object> toJson(Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", r.mode());
        List<Map<String, Object>> phases = new ArrayList<>();
        for (Phase p : r.phases()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("phase", p.name());
            pm.put("median_sec", p.median());
            pm.put("min_sec", p.min());
            pm.put("max_sec", p.max());
            if (!Double.isNaN(p.gflops())) pm.put("gflops", p.gflops());
            phases.add(pm);
        }
        m.put("phases", phases);
        m.put("images_per_sec", r.imagesPerSecond());
        m.put("process_cpu_sec", r.cpuSeconds());
        m.put("wall_sec", r.wallSeconds());
        if (r.driver() != null) {
            m.put("driver_bytes_per_round", r.driver().bytesPerRound());
            m.put("driver_heap_bytes_after_round", r.driver().heapBytes());
            m.put("driver_resident_bytes_after_round", r.driver().residentBytes());
        }
        return m;
    }

    public static String toText(Report r) {
        StringBuilder sb = new StringBuilder(r.mode()).append('\n');
        sb.append(String.format("  %-36s %9s %9s %9s %9s%n", "phase", "median s", "min s", "max s", "GFLOP/s"));
        for (Phase p : r.phases()) {
            sb.append(String.format("  %-36s %9.3f %9.3f %9.3f %9s%n", p.name(), p.median(), p.min(), p.max(),
                    Double.isNaN(p.gflops()) ? "-" : String.format("%.1f", p.gflops())));
        }
        sb.append(String.format("  %.2f real images/s, %.1f process CPU s over %.1f s wall%n", r.imagesPerSecond(),
                r.cpuSeconds(), r.wallSeconds()));
        if (r.driver() != null) {
            sb.append(String.format("  the driver received %,d bytes per round (Spark's task results); after each "
                    + "round and a GC it held %,d bytes of heap, %,d bytes resident (medians)%n",
                    r.driver().bytesPerRound(), r.driver().heapBytes(), r.driver().residentBytes()));
        }
        return sb.toString();
    }
}
