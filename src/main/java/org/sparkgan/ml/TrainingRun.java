package org.sparkgan.ml;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.BadInputException;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.eval.TrainingMonitor;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;
import org.sparkgan.report.ReportObserver;
import org.sparkgan.train.BlasKernels;
import org.sparkgan.train.RealImages;
import org.sparkgan.train.RunObserver;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;
import org.sparkgan.train.spark.Shards;
import org.sparkgan.train.spark.SparkEngine;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training run wired from its parts, what {@code train} and {@link DcganEstimator#fit} share: the configuration
 * (resolved over the run folder's on a resume, at the data's image size), provenance, the images (sharded on the
 * executors, or collected for this JVM), the driver's sample and eval sets, and the observers. Three stages, so a
 * caller can check the configuration before the data is read ({@link #open}), and stop Spark once a single-JVM run
 * holds its images ({@link #readImages}) before {@link #train}.
 */
public final class TrainingRun {
    /** Which images a configuration trains on. */
    public interface Images {
        /** The {@code id} and {@code image} (3·S² planar RGB bytes) rows: ids give the training order. */
        Dataset<Row> select(TrainConfig config);

        /** What provenance records as the data's origin (compared on resume). */
        String uri(TrainConfig config);

        /** The side of the images, checked against the configuration's resolution. */
        int resolution(TrainConfig config);
    }

    private final SparkSession spark;
    private final RunFolder run;
    private final Trainer.Start start;
    private final boolean distributed;
    private final Images images;
    private final PrintStream out;
    private final TrainConfig config;
    private final String dataUri;
    private final int dataSide;
    private final List<RunObserver> listeners = new ArrayList<>();
    private Trainer trainer;

    private TrainingRun(SparkSession spark, String runDir, Trainer.Start start, boolean distributed, Images images,
                        PrintStream out, List<Map<String, String>> layers) throws IOException {
        this.spark = spark;
        this.run = RunFolder.at(runDir, new Configuration(spark.sparkContext().hadoopConfiguration()));
        this.start = start;
        List<Map<String, String>> all = new ArrayList<>();
        all.add(continues(run, start) ? previousConfig(run) : Map.of());
        all.addAll(layers);
        TrainConfig asked = resolve(all);
        if (start == Trainer.Start.NEW && run.hasContent()) {
            throw new BadInputException(run.root() + ": run folder exists (use --resume to continue it or "
                    + "--overwrite to start again)");
        }
        this.distributed = distributed;
        this.images = images;
        this.out = out;
        this.dataUri = images.uri(asked);
        this.dataSide = images.resolution(asked);
        this.config = atResolution(asked, dataSide, dataUri, all);
    }

    /**
     * Resolves the run's configuration: the run folder's (when the run continues) under {@code layers} (later ones
     * win), at the data's image size. A folder with content is refused unless {@code start} continues or replaces it.
     *
     * @param distributed on Spark's executors ({@link SparkEngine}); otherwise in this JVM
     */
    @SafeVarargs
    public static TrainingRun open(SparkSession spark, String runDir, Trainer.Start start, boolean distributed,
                                   Images images, PrintStream out, Map<String, String>... layers) throws IOException {
        return new TrainingRun(spark, runDir, start, distributed, images, out, List.of(layers));
    }

    /**
     * Whether the run continues what the folder holds (then its config.json is the base of the configuration):
     * --resume, or --resume auto where the folder has a checkpoint (the Trainer decides the rest).
     */
    static boolean continues(RunFolder run, Trainer.Start start) throws IOException {
        return start == Trainer.Start.RESUME
                || (start == Trainer.Start.AUTO && run.exists(RunFolder.CONFIG) && !run.checkpointSteps().isEmpty());
    }

    /** The configuration the run trains with. */
    public TrainConfig config() {
        return config;
    }

    public RunFolder runFolder() {
        return run;
    }

    /** Adds an observer of the run, after the eval and report observers. */
    public TrainingRun observe(RunObserver listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Reads the images: cached as shards on the executors, or collected into this JVM (then Spark is no longer
     * needed), and builds the trainer.
     */
    public TrainingRun readImages() {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("sparkgan_version", Versions.sparkgan());
        provenance.put("dl4j_version", Versions.of("org.deeplearning4j.nn.multilayer.MultiLayerNetwork"));
        provenance.put("spark_version", spark.version());
        provenance.put("java_version", System.getProperty("java.version"));
        provenance.put(RunKeys.OPENBLAS_CORETYPE, BlasKernels.coreType());
        provenance.put("seed", config.seed());
        provenance.put(RunKeys.DATA_URI, dataUri);
        provenance.put(RunKeys.DATA_CLASS, config.className());
        provenance.put(RunKeys.DATA_SPLIT, config.split());
        provenance.put("data_resolution", dataSide);

        long t0 = System.nanoTime();
        Dataset<Row> selected = images.select(config);
        if (distributed) {
            provenance.put("spark_master", spark.sparkContext().master());
            JavaRDD<byte[]> shards = Shards.of(selected, config.workers());
            long rows = shards.count(); // reads the data once and caches the shards on the executors
            provenance.put(RunKeys.DATA_ROWS, rows);
            if (rows / config.workers() < config.batchSize()) {
                throw new BadInputException(dataUri + ": " + rows + " images make shards smaller than one batch of "
                        + config.batchSize() + " for " + config.workers() + " workers");
            }
            out.printf("train: %,d %s images of class %s from %s cached on the executors as %d shards in %.1f s%n",
                    rows, config.split(), config.className(), dataUri, config.workers(), (System.nanoTime() - t0) / 1e9);
            // the first images by id: the real grid, and eval-every's reference set and floor set
            int onDriver = (int) Math.min(rows, Math.max(Trainer.GRID * Trainer.GRID,
                    config.evalEvery() > 0 ? 2L * config.evalImages() : 0));
            INDArray firstImages = ImageTensors.toTensor(CifarParquet.inIdOrder(selected, onDriver));
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            trainer = new Trainer(config, first(firstImages, Trainer.GRID * Trainer.GRID),
                    state -> new SparkEngine(sc, shards, config, state), run, provenance, out);
            trainer.observe(monitor(config, firstImages));
        } else {
            List<byte[]> collected = CifarParquet.inIdOrder(selected);
            provenance.put(RunKeys.DATA_ROWS, collected.size());
            out.printf("train: read %,d %s images of class %s from %s with Spark in %.1f s; training in this JVM%n",
                    collected.size(), config.split(), config.className(), dataUri, (System.nanoTime() - t0) / 1e9);
            RealImages data = new RealImages(ImageTensors.toTensor(collected), config.batchSize(), config.seed());
            trainer = Trainer.local(config, data, run, provenance, out).observe(monitor(config, data.all()));
        }
        trainer.observe(new ReportObserver(run));
        listeners.forEach(trainer::observe);
        return this;
    }

    /** Stops cleanly (a checkpoint written) once {@code minutes} have passed from now. */
    public TrainingRun timeLimit(double minutes) {
        requireImages().timeLimit(minutes);
        return this;
    }

    /** Asks a running {@link #train} to write a checkpoint and return after its current round. */
    public void requestStop() {
        requireImages().requestStop();
    }

    public Trainer.Summary train() throws IOException {
        Trainer.Summary s = requireImages().train(start);
        if (s.lastStep() >= s.firstStep()) {
            out.printf("train: steps %d-%d in %.1f s (%.2f s/step); samples in %s, checkpoints in %s%n",
                    s.firstStep(), s.lastStep(), s.seconds(), s.secondsPerStep(),
                    run.path(RunFolder.SAMPLES), run.path(RunFolder.CHECKPOINTS));
        }
        return s;
    }

    /** The URI of the run's newest checkpoint. */
    public String newestCheckpoint() throws IOException {
        List<Long> steps = run.checkpointSteps();
        if (steps.isEmpty()) throw new BadInputException(run.root() + ": no checkpoint");
        return run.path(RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(steps.get(steps.size() - 1))).toString();
    }

    private Trainer requireImages() {
        if (trainer == null) throw new IllegalStateException("readImages() first");
        return trainer;
    }

    @SuppressWarnings("unchecked")
    private static TrainConfig resolve(List<Map<String, String>> layers) {
        return TrainConfig.resolve(layers.toArray(Map[]::new));
    }

    /**
     * The configuration at the data set's image size: resolution 0 takes it; another size than the data set's is a
     * one-line error saying what to do.
     */
    private static TrainConfig atResolution(TrainConfig asked, int dataSide, String dataUri,
                                            List<Map<String, String>> layers) {
        int resolution = asked.get(TrainConfig.RESOLUTION);
        if (resolution == dataSide) return asked;
        if (resolution != 0) {
            throw new BadInputException(dataUri + ": its images are " + dataSide + "x" + dataSide + " but --resolution is "
                    + resolution + " (train with --resolution " + dataSide + ", or prep the images with --size "
                    + resolution + ")");
        }
        List<Map<String, String>> withSide = new ArrayList<>(layers);
        withSide.add(Map.of(TrainConfig.RESOLUTION.name(), Integer.toString(dataSide)));
        return resolve(withSide);
    }

    /** SWD against the first eval-images real images; the next as many, when there are, give the floor. */
    private static TrainingMonitor monitor(TrainConfig config, INDArray reals) {
        long n = Math.min(config.evalImages(), reals.size(0));
        INDArray floorSet = reals.size(0) >= 2 * n ? reals.get(NDArrayIndex.interval(n, 2 * n)) : null;
        return new TrainingMonitor(first(reals, n), floorSet, config.evalEvery(), config.seed());
    }

    private static INDArray first(INDArray images, long n) {
        return images.get(NDArrayIndex.interval(0, Math.min(n, images.size(0))));
    }

    /** The configuration a run folder was last started with: the base a resume is resolved against. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> previousConfig(RunFolder run) throws IOException {
        if (!run.exists(RunFolder.CONFIG)) {
            throw new BadInputException(run.root() + ": nothing to resume (no " + RunFolder.CONFIG + ")");
        }
        Map<String, Object> json = run.readJson(RunFolder.CONFIG);
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Object> config = (Map<String, Object>) json.get("config");
        if (config != null) config.forEach((k, v) -> values.put(k, String.valueOf(v)));
        values.putIfAbsent(TrainConfig.RESOLUTION.name(), "32"); // runs from before the key were 32×32
        return values;
    }
}
