package org.sparkgan.train.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.train.ComputeThreads;
import org.sparkgan.train.GanStep;
import org.sparkgan.train.Seeds;
import org.sparkgan.train.StepSettings;
import org.sparkgan.train.TrainConfig;

/**
 * dl4j-spark's parameter-averaging worker, extended to train G and D together: {@link #getInitialModel()} restores
 * both from the round's broadcast state, {@link #processMinibatch} runs one {@link GanStep} on each real batch that
 * dl4j-spark's ExecuteWorkerFlatMap hands it, and {@link #getFinalResult} returns both networks' parameters and
 * RMSprop states (saveUpdater semantics: always carried and averaged). Step s of worker w uses
 * {@code Seeds.step(Seeds.worker(seed, w), s, rollbacks)}, so a round is reproducible and worker 0 matches the single-JVM run.
 */
public final class GanTrainingWorker extends ParameterAveragingTrainingWorker {
    private final Broadcast<NetworkState> networks;
    private final long seed;
    private final long firstStep;
    private final int rollbacks;
    private final StepSettings settings;

    private transient MultiLayerNetwork generator;
    private transient MultiLayerNetwork discriminator;
    private transient GanStep step;
    private transient int worker;
    private transient long nextStep;
    private transient GanStep.Result last;
    private transient double computeSeconds;

    /**
     * @param stepsPerRound k: batches per worker per round (dl4j-spark's maxBatchesPerWorker)
     * @param batchSize     real images per step
     */
    public GanTrainingWorker(Broadcast<NetworkState> networks, long seed, long firstStep, int rollbacks,
                             int stepsPerRound, int batchSize, StepSettings settings) {
        // dl4j-spark's own broadcast (a live INDArray) is not used; see NetworkState
        super(null, true, new WorkerConfiguration(false, batchSize, batchSize, stepsPerRound, 0, false),
                null, null, null);
        this.networks = networks;
        this.seed = seed;
        this.firstStep = firstStep;
        this.rollbacks = rollbacks;
        this.settings = settings;
    }

    @Override
    public MultiLayerNetwork getInitialModel() {
        // ND4J's default is every core of the JVM; tasks sharing an executor would oversubscribe them (measured
        // ~10% fewer images/s with 2 tasks on 2 cores), so a task takes the cores Spark gives it
        int threads = settings.get(TrainConfig.THREADS);
        ComputeThreads.pin(threads > 0 ? threads : TaskContext.get().cpus());
        NetworkState state = networks.value();
        generator = state.restoreGenerator();
        discriminator = state.restoreDiscriminator();
        step = new GanStep(generator, discriminator, settings);
        worker = TaskContext.getPartitionId();
        nextStep = firstStep;
        computeSeconds = 0;
        return discriminator;
    }

    @Override
    public ParameterAveragingTrainingResult processMinibatch(DataSet reals, MultiLayerNetwork ignored, boolean isLast) {
        long t0 = System.nanoTime();
        last = step.run(reals.getFeatures(), Seeds.step(Seeds.worker(seed, worker), nextStep++, rollbacks));
        computeSeconds += (System.nanoTime() - t0) / 1e9;
        return null; // keep going: the result comes from getFinalResult
    }

    @Override
    public ParameterAveragingTrainingResult getFinalResult(MultiLayerNetwork ignored) {
        INDArray params = Nd4j.concat(0, generator.params().reshape(-1), discriminator.params().reshape(-1));
        INDArray updater = Nd4j.concat(0, generator.getUpdater().getStateViewArray().reshape(-1),
                discriminator.getUpdater().getStateViewArray().reshape(-1));
        // master threads: libnd4j 1.0.0-M2 kept maxThreads at its start-up value here (setMaxThreads(1) left it at 2)
        return new GanRoundResult(params, updater, worker, last, computeSeconds,
                Nd4j.getEnvironment().maxMasterThreads());
    }
}
