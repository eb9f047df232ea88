package org.sparkgan.io;

/**
 * The keys of metrics.jsonl records and of config.json's provenance that one package writes and another reads
 * (the trainer and the monitor write them; the report, the signals and a resume read them): named once, so a rename
 * cannot silently drop a chart series or a resume check.
 */
public final class RunKeys {
    private RunKeys() {}

    // metrics.jsonl: every logged step
    public static final String STEP = "step";
    public static final String D_LOSS = "d_loss";
    public static final String G_LOSS = "g_loss";
    /** D's accuracies on the batch's reals and fakes in the forward pass it trains on (dropout on), before its update. */
    public static final String D_ACC_REAL = "d_acc_real";
    public static final String D_ACC_FAKE = "d_acc_fake";
    /** D's mean output (the probability of "fake") on the batch's reals and fakes, in the same pass. */
    public static final String D_OUT_REAL = "d_out_real";
    public static final String D_OUT_FAKE = "d_out_fake";
    public static final String IMAGES_PER_SEC = "images_per_sec";
    public static final String SEC_PER_STEP = "sec_per_step";
    public static final String FAKE_SEC = "fake_sec";
    public static final String D_STEP_SEC = "d_step_sec";
    public static final String G_STEP_SEC = "g_step_sec";
    public static final String OUTSIDE_COMPUTE_SHARE = "outside_compute_share";
    public static final String ELAPSED_SEC = "elapsed_sec";
    public static final String WARNINGS = "warnings";
    public static final String ROLLBACK = "rollback";
    // on Spark
    public static final String WORKERS = "workers";
    public static final String AVERAGING_FREQUENCY = "averaging_frequency";
    public static final String ROUND_SEC = "round_sec";
    public static final String WORKER_COMPUTE_SEC = "worker_compute_sec";
    /** ND4J's threads in each worker's task, one value per worker. */
    public static final String TASK_THREADS = "task_threads";
    /** The OpenBLAS kernels of each worker's JVM ({@code train.BlasKernels}), one value per worker. */
    public static final String TASK_OPENBLAS_CORETYPE = "task_openblas_coretype";
    // at sample steps and with --eval-every
    public static final String DIVERSITY = "diversity";
    public static final String GRID_MEAN_PREFIX = "grid_mean_";
    public static final String REAL_MEAN_PREFIX = "real_mean_";
    public static final String SWD_LEVEL_PREFIX = "swd_level";
    /** Of what samples come from: G_ema when the run keeps one, else G. */
    public static final String SWD_AVG = "swd_avg";
    /** With G_ema kept: the same distance for the G being trained, on the same latents. */
    public static final String SWD_G_AVG = "swd_avg_g";
    public static final String SWD_IMAGES = "swd_images";
    public static final String SWD_FLOOR_AVG = "swd_floor_avg";

    /**
     * The measured durations and rates of a record: they differ from run to run. Every other key is a pure function of
     * the configuration and the data, so a resumed or disturbed run repeats it bit for bit.
     */
    public static final java.util.Set<String> TIMINGS = java.util.Set.of(IMAGES_PER_SEC, SEC_PER_STEP, FAKE_SEC,
            D_STEP_SEC, G_STEP_SEC, OUTSIDE_COMPUTE_SHARE, ELAPSED_SEC, ROUND_SEC, WORKER_COMPUTE_SEC);

    /** The list of each worker's values of {@code key} (D_LOSS, G_LOSS, D_ACC_REAL, D_ACC_FAKE) in a Spark round. */
    public static String perWorker(String key) {
        return key + "_per_worker";
    }

    // config.json's two sections: every configuration value, and where the run came from
    public static final String CONFIG = "config";
    public static final String PROVENANCE = "provenance";
    // config.json's provenance, also in every checkpoint
    public static final String DATA_URI = "data_uri";
    public static final String DATA_ROWS = "data_rows";
    public static final String DATA_CLASS = "data_class";
    public static final String DATA_SPLIT = "data_split";
    public static final String STARTED_AT = "started_at";
    public static final String RESUMED_AT = "resumed_at";
    /** The driver's OpenBLAS kernels ({@code train.BlasKernels}). */
    public static final String OPENBLAS_CORETYPE = "openblas_coretype";
}
