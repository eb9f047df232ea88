package org.sparkgan.train.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.worker.ExecuteWorkerFlatMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkgan.io.RunKeys;
import org.sparkgan.train.BlasKernels;
import org.sparkgan.train.GanStep;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.TrainingEngine;
import org.sparkgan.train.TrainingState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Distributed training, FedGAN-style (arXiv 2006.07228): each round, every worker starts from the driver's G and D,
 * runs k local {@link GanStep}s on its own shard, and the driver replaces both networks — parameters and RMSprop
 * states — by the element-wise mean of the workers' results, summed on the executors through a fixed tree
 * ({@link Averaging}): the driver receives one model's worth of numbers per round whatever the number of workers.
 * <p>From dl4j-spark it uses the parameter-averaging worker ({@link GanTrainingWorker} extends
 * ParameterAveragingTrainingWorker), its ExecuteWorkerFlatMap (which feeds the worker its batches, at most k) and
 * ParameterAveragingTrainingResult. It does not use ParameterAveragingTrainingMaster's fit loop: that re-splits the
 * training RDD at random for every fit, broadcasts live INDArrays and sums results in task-completion order.
 */
public final class SparkEngine implements TrainingEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SparkEngine.class);
    private final JavaSparkContext sc;
    private final JavaRDD<byte[]> shards;
    private final int workers;
    private final int k;
    private final TrainConfig config;
    private final MultiLayerNetwork generator;
    private final MultiLayerNetwork discriminator;
    private final int[] shardSizes;
    private final LongAccumulator decodedImages;
    private List<RoundSum.Report> lastReports = List.of();
    private long lastDecodedImages;
    private int rollbacks;
    private boolean kernelsChecked;

    public SparkEngine(JavaSparkContext sc, JavaRDD<byte[]> shards, TrainConfig config, TrainingState state) {
        this.sc = sc;
        this.shards = shards;
        this.workers = shards.getNumPartitions();
        this.shardSizes = Shards.sizes(shards);
        this.decodedImages = sc.sc().longAccumulator("real images decoded");
        this.k = config.averagingFrequency();
        this.config = config;
        this.generator = state.generator();
        this.discriminator = state.discriminator();
        this.rollbacks = state.rollbacks();
    }

    @Override
    public void restore(TrainingState state) {
        state.copyInto(generator, discriminator);
        rollbacks = state.rollbacks();
    }

    @Override
    public Map<String, Object> topology() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put(ENGINE, "spark");
        t.put("workers", workers);
        t.put("averaging_frequency", k);
        return t;
    }

    @Override
    public int stepsPerRound() {
        return k;
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public Round runRound(long lastStep) {
        long t0 = System.nanoTime();
        Broadcast<NetworkState> networks = sc.broadcast(NetworkState.of(generator, discriminator));
        decodedImages.reset();
        RoundSum sum = Averaging.treeSum(workerResults(networks, lastStep));
        networks.destroy();
        if (sum.reports().size() != workers) {
            throw new IllegalStateException("expected " + workers + " worker results, got " + sum.reports().size());
        }
        apply(Nd4j.createFromArray(Averaging.mean(sum.parameters(), workers)),
                Nd4j.createFromArray(Averaging.mean(sum.updaterState(), workers)), lastStep + k);
        lastReports = List.copyOf(sum.reports().values());
        if (!kernelsChecked) warnOnOtherKernels();
        lastDecodedImages = decodedImages.value();

        List<GanStep.Result> perWorker = lastReports.stream().map(RoundSum.Report::last).toList();
        double compute = lastReports.stream().mapToDouble(RoundSum.Report::computeSeconds).max().orElse(0);
        return new Round(mean(perWorker), perWorker, compute, (System.nanoTime() - t0) / 1e9);
    }

    /** Each worker's round from the broadcast networks: k steps on its shard, as a sum of one, in shard order. */
    JavaRDD<RoundSum> workerResults(Broadcast<NetworkState> networks, long lastStep) {
        GanTrainingWorker worker = new GanTrainingWorker(networks, config.seed(), lastStep + 1, rollbacks, k,
                config.batchSize(), config.stepSettings());
        return shards.mapPartitionsWithIndex(Shards.roundBatches(config.seed(), lastStep + 1, k, config.batchSize(),
                        shardSizes, decodedImages), true)
                .mapPartitions(new ExecuteWorkerFlatMap<>(worker))
                .map(r -> ((GanRoundResult) r).sum());
    }

    /** Writes the averaged flat arrays (G's values first, then D's) into the driver's networks. */
    private void apply(INDArray params, INDArray updater, long step) {
        long gp = generator.numParams(), gu = generator.getUpdater().getStateViewArray().length();
        generator.params().assign(params.get(NDArrayIndex.interval(0, gp)).reshape(generator.params().shape()));
        discriminator.params().assign(params.get(NDArrayIndex.interval(gp, params.length()))
                .reshape(discriminator.params().shape()));
        INDArray gState = generator.getUpdater().getStateViewArray(), dState = discriminator.getUpdater().getStateViewArray();
        gState.assign(updater.get(NDArrayIndex.interval(0, gu)).reshape(gState.shape()));
        dState.assign(updater.get(NDArrayIndex.interval(gu, updater.length())).reshape(dState.shape()));
        // every worker did k updates of each network; the iteration counters say so
        generator.setIterationCount((int) step);
        discriminator.setIterationCount((int) step);
    }

    /**
     * Once a run: a warning when a worker's JVM uses other OpenBLAS kernels than the driver's, which breaks the promise
     * that the run computes what a local run or a restarted driver computes, to the bit (the metrics record each
     * task's, so the run stays readable afterwards).
     */
    private void warnOnOtherKernels() {
        kernelsChecked = true;
        String driver = BlasKernels.coreType();
        for (RoundSum.Report r : lastReports) {
            if (!BlasKernels.same(r.blasCoreType(), driver)) {
                LOG.warn("worker {} uses OpenBLAS kernels '{}', the driver '{}': results can differ in the last bits "
                        + "from a run whose JVMs agree; give every JVM the same OPENBLAS_CORETYPE (spark.executorEnv, "
                        + "as the submit scripts do)", r.worker(), r.blasCoreType(), driver);
                return;
            }
        }
    }

    private static GanStep.Result mean(List<GanStep.Result> rs) {
        int n = rs.size();
        return new GanStep.Result(
                rs.stream().mapToDouble(GanStep.Result::dLoss).sum() / n,
                rs.stream().mapToDouble(GanStep.Result::gLoss).sum() / n,
                rs.stream().mapToDouble(GanStep.Result::dAccReal).sum() / n,
                rs.stream().mapToDouble(GanStep.Result::dAccFake).sum() / n,
                rs.stream().mapToDouble(GanStep.Result::dOutReal).sum() / n,
                rs.stream().mapToDouble(GanStep.Result::dOutFake).sum() / n,
                rs.stream().mapToDouble(GanStep.Result::fakeSeconds).sum() / n,
                rs.stream().mapToDouble(GanStep.Result::dSeconds).sum() / n,
                rs.stream().mapToDouble(GanStep.Result::gSeconds).sum() / n);
    }

    /** The workers' reports of the last round, in worker order (for tests and diagnostics). */
    public List<RoundSum.Report> lastReports() {
        return lastReports;
    }

    /**
     * The real images the last round decoded, over all workers: k·batch each (a task Spark ran again counts again).
     */
    public long lastDecodedImages() {
        return lastDecodedImages;
    }

    @Override
    public MultiLayerNetwork generator() {
        return generator;
    }

    @Override
    public MultiLayerNetwork discriminator() {
        return discriminator;
    }

    @Override
    public Map<String, Object> dataPosition(long step) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("next_step", step + 1);
        p.put("workers", workers);
        p.put("scheme", "worker w trains on the images of rank r (id order) with r mod workers == w, "
                + "in per-pass permutations of its shard");
        return p;
    }

    @Override
    public Map<String, Object> extraMetrics(Round round) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(RunKeys.WORKERS, workers);
        m.put(RunKeys.AVERAGING_FREQUENCY, k);
        m.put(RunKeys.perWorker(RunKeys.D_LOSS), round.perWorker().stream().map(GanStep.Result::dLoss).toList());
        m.put(RunKeys.perWorker(RunKeys.G_LOSS), round.perWorker().stream().map(GanStep.Result::gLoss).toList());
        m.put(RunKeys.perWorker(RunKeys.D_ACC_REAL), round.perWorker().stream().map(GanStep.Result::dAccReal).toList());
        m.put(RunKeys.perWorker(RunKeys.D_ACC_FAKE), round.perWorker().stream().map(GanStep.Result::dAccFake).toList());
        m.put(RunKeys.ROUND_SEC, round.wallSeconds());
        m.put(RunKeys.WORKER_COMPUTE_SEC, round.computeSeconds());
        m.put(RunKeys.TASK_THREADS, lastReports.stream().map(RoundSum.Report::threads).toList());
        m.put(RunKeys.TASK_OPENBLAS_CORETYPE, lastReports.stream().map(RoundSum.Report::blasCoreType).toList());
        return m;
    }
}
