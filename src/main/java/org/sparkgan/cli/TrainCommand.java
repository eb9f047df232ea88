package org.sparkgan.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.io.RunKeys;
import org.sparkgan.BadInputException;
import org.sparkgan.Names;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.eval.TrainingMonitor;
import org.sparkgan.io.PathKinds;
import org.sparkgan.io.RunFolder;
import org.sparkgan.report.ReportObserver;
import org.sparkgan.train.Param;
import org.sparkgan.train.RealImages;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;
import org.sparkgan.train.spark.Shards;
import org.sparkgan.train.spark.SparkEngine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code train}: the DCGAN on one class of the Parquet data set, in this JVM. */
final class TrainCommand implements Command {
    static final List<Option> OPTIONS = buildOptions();

    private static List<Option> buildOptions() {
        List<Option> list = new ArrayList<>();
        list.add(Option.value("output", "URI", "runs/dcgan", "the run folder (local path, file://, hdfs://)"));
        list.add(Option.value("config", "FILE", null, "a JSON file of configuration keys (the option names below);\n"
                + "a run's config.json works too. Command-line options win over it"));
        list.add(Option.flag("resume", "continue the run folder from its newest complete checkpoint to --steps;\n"
                + "--resume auto (for drivers a cluster may restart): continue when the folder has a\n"
                + "checkpoint, else start the run; refuses a folder that is not a sparkgan run", List.of("auto")));
        list.add(Option.flag("overwrite", "delete an existing run folder and start again"));
        list.add(Option.value("time-limit", "MINUTES", "none", "stop cleanly (checkpoint written) after this many\n"
                + "minutes; fractions allowed (0.5: 30 s); --resume continues"));
        list.add(Option.flag("print-config", "print the resolved configuration as JSON (a --config file) and exit"));
        list.add(Option.value("master", "URL", null, "train on Spark: local[N], spark://host:port, yarn, k8s://...\n"
                + "(under spark-submit the master it gives is used). Without it: this JVM only"));
        for (Param<?> p : TrainConfig.PARAMS) {
            Option o = Option.of(p, TrainConfig.PRESET.defaultValue());
            if (p == TrainConfig.CLASS) o = Option.value(o.name(), o.valueName(), o.defaultValue(),
                    o.help() + " of the data set; CIFAR-10's classes:\n" + String.join(", ", CifarClasses.NAMES));
            list.add(o);
        }
        return List.copyOf(list);
    }

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train the DCGAN on one class of the Parquet data set (this JVM, or Spark with --master)";
    }

    @Override
    public String description() {
        return """
                The Keras DCGAN of Deep Learning with Python (section 8.5) in Deeplearning4j. Each step: Gaussian
                latents -> G -> fakes; D trained on fakes (label 1) and reals (label 0), labels + label-noise*U(0,1);
                new latents; G trained through D (dropout on, D's weights frozen) toward label 0. RMSprop, every
                gradient value clipped to +-clip.
                Deliberate deviations from the book: real images are scaled to [-1, 1] (the book's /255 does not match
                G's tanh output), and the real images are reshuffled every pass with the run's seed.
                The run folder gets config.json, metrics.jsonl, samples/real.png and samples/step-NNNNNN.png (an 8x8
                grid from one fixed latent batch), checkpoints/step-NNNNNN/, and report.html (curves, samples over
                time, configuration; refreshed at every checkpoint). Warnings — D overpowering G, D at chance,
                non-finite losses, a collapsing sample diversity — are printed and recorded in metrics.jsonl. Ctrl-C or SIGTERM writes a checkpoint
                before exiting; --resume continues bit-exactly (same seed and --threads).
                With --master (or under spark-submit) the images are sharded over --workers executors' caches; each round
                every worker runs --averaging-frequency local steps from the driver's G and D, and the driver averages
                both networks' parameters and RMSprop states (FedGAN-style local updates). Every random draw derives from
                the seed, the worker and the step, so a distributed run is reproducible too.
                Defaults below are the seed preset's; --preset small changes g-dense-channels to 32 and the filters to 64;
                seed-plus and small-plus add the recipe measured on the small model, g-lr 0.0001 and augment translation
                (see --preset below and docs/results.md).""";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public void run(ParsedArgs args) throws Exception {
        boolean auto = args.string("resume").equals("auto");
        boolean resume = args.flag("resume"), overwrite = args.flag("overwrite");
        if ((resume || auto) && overwrite) throw new BadInputException("--resume and --overwrite exclude each other");
        String output = args.string("output");

        Map<String, String> commandLine = new LinkedHashMap<>();
        for (Param<?> p : TrainConfig.PARAMS) if (args.given(p.name())) commandLine.put(p.name(), args.string(p.name()));
        Map<String, String> file = args.string("config") == null ? Map.of() : readConfigFile(args.string("config"));
        if (args.flag("print-config")) {
            System.out.print(RunFolder.JSON.writeValueAsString(TrainConfig.resolve(file, commandLine).values()) + "\n");
            return;
        }
        double timeLimitMinutes = args.string("time-limit").equals("none") ? 0 : parseMinutes(args.string("time-limit"));
        // the cheap checks before Spark starts: every value given, the class, the data set's kind
        TrainConfig requested = TrainConfig.resolve(file, commandLine);
        if (!resume) requireDataSetIfReachable(requested.data(), requested.split(), requested.className());

        String master = args.string("master");
        boolean distributed = master != null || SparkSessions.underSparkSubmit();
        // in this JVM, Spark only reads the Parquet data set: no UI, no line about it
        SparkSession spark = distributed ? SparkSessions.start("sparkgan train", master, true)
                : SparkSessions.startForReading("sparkgan train");
        try {
            Configuration hadoopConf = new Configuration(spark.sparkContext().hadoopConfiguration());
            RunFolder run = RunFolder.at(output, hadoopConf);
            // --resume auto continues only a run that has a checkpoint; the Trainer decides the rest
            boolean continuing = resume || (auto && run.exists(RunFolder.CONFIG) && !run.checkpointSteps().isEmpty());
            Map<String, String> base = continuing ? previousConfig(run) : Map.of();
            TrainConfig asked = TrainConfig.resolve(base, file, commandLine);
            if (!resume && !auto && !overwrite && run.hasContent()) {
                throw new BadInputException(run.root() + ": run folder exists (use --resume to continue it or "
                        + "--overwrite to start again)");
            }
            Path dataPath = new Path(asked.data());
            String dataUri = dataPath.getFileSystem(hadoopConf).makeQualified(dataPath).toString();
            int dataSide = CifarParquet.resolution(spark, dataUri);
            TrainConfig config = atResolution(asked, dataSide, dataUri, base, file, commandLine);
            MemoryCheck.requireOffHeapFor(config);

            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("sparkgan_version", Versions.sparkgan());
            provenance.put("dl4j_version", Versions.of("org.deeplearning4j.nn.multilayer.MultiLayerNetwork"));
            provenance.put("spark_version", spark.version());
            provenance.put("java_version", System.getProperty("java.version"));
            provenance.put("seed", config.seed());
            provenance.put(RunKeys.DATA_URI, dataUri);
            provenance.put(RunKeys.DATA_CLASS, config.className());
            provenance.put(RunKeys.DATA_SPLIT, config.split());
            provenance.put("data_resolution", dataSide);

            long t0 = System.nanoTime();
            Trainer trainer;
            if (distributed) {
                provenance.put("spark_master", spark.sparkContext().master());
                Dataset<Row> images = CifarParquet.selectImages(spark, dataUri, config.split(), config.className());
                JavaRDD<byte[]> shards = Shards.of(images, config.workers());
                long rows = shards.count(); // reads the data once and caches the shards on the executors
                provenance.put(RunKeys.DATA_ROWS, rows);
                if (rows / config.workers() < config.batchSize()) {
                    throw new BadInputException(dataUri + ": " + rows + " images make shards smaller than one batch of "
                            + config.batchSize() + " for " + config.workers() + " workers");
                }
                System.out.printf("train: %,d %s images of class %s from %s cached on the executors as %d shards "
                        + "in %.1f s%n", rows, config.split(), config.className(), dataUri, config.workers(),
                        (System.nanoTime() - t0) / 1e9);
                // the first images by id: the real grid, and eval-every's reference set and floor set
                int onDriver = (int) Math.min(rows, Math.max(Trainer.GRID * Trainer.GRID,
                        config.evalEvery() > 0 ? 2L * config.evalImages() : 0));
                INDArray firstImages = ImageTensors.toTensor(images.orderBy(CifarParquet.ID)
                        .select(CifarParquet.IMAGE).limit(onDriver).collectAsList().stream()
                        .map(r -> (byte[]) r.get(0)).toList());
                JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                trainer = new Trainer(config, first(firstImages, Trainer.GRID * Trainer.GRID),
                        state -> new SparkEngine(sc, shards, config, state), run, provenance, System.out);
                trainer.observe(monitor(config, firstImages));
            } else {
                List<byte[]> images = CifarParquet.collectImages(spark, dataUri, config.split(), config.className());
                provenance.put(RunKeys.DATA_ROWS, images.size());
                System.out.printf("train: read %,d %s images of class %s from %s with Spark in %.1f s; training in "
                        + "this JVM%n", images.size(),
                        config.split(), config.className(), dataUri, (System.nanoTime() - t0) / 1e9);
                spark.stop(); // the single-JVM trainer needs no Spark
                RealImages data = new RealImages(ImageTensors.toTensor(images), config.batchSize(), config.seed());
                trainer = Trainer.local(config, data, run, provenance, System.out).observe(monitor(config, data.all()));
            }
            Trainer.Start start = auto ? Trainer.Start.AUTO : resume ? Trainer.Start.RESUME
                    : overwrite ? Trainer.Start.OVERWRITE : Trainer.Start.NEW;
            trainer.observe(new ReportObserver(run));
            if (timeLimitMinutes > 0) trainer.timeLimit(timeLimitMinutes);
            Trainer.Summary s = trainer.trainWithSignalHandling(start);
            if (s.lastStep() >= s.firstStep()) {
                System.out.printf("train: steps %d-%d in %.1f s (%.2f s/step); samples in %s, checkpoints in %s%n",
                        s.firstStep(), s.lastStep(), s.seconds(), s.secondsPerStep(),
                        run.path(RunFolder.SAMPLES), run.path(RunFolder.CHECKPOINTS));
            }
        } finally {
            spark.stop();
        }
    }

    /**
     * Refuses a path of the wrong kind (the archive, a run folder, ...) and a class the data set's partition folders
     * do not have, before Spark starts, where the file system is reachable without Spark's configuration; otherwise
     * the same checks run when Spark reads the data.
     */
    private static void requireDataSetIfReachable(String uri, String split, String className) {
        Path path = new Path(uri);
        try {
            FileSystem fs = path.getFileSystem(new Configuration());
            PathKinds.requireDataSet(fs, path, uri);
            List<String> classes = CifarParquet.classesOnDisk(fs, path, split).orElse(null);
            for (String name : classes == null ? List.<String>of() : CifarParquet.classList(className)) { // none: all
                if (classes.stream().noneMatch(c -> c.equalsIgnoreCase(name))) {
                    throw new BadInputException(uri + ": no " + split + " images of class " + name
                            + Names.nearest(name.toLowerCase(java.util.Locale.ROOT), classes)
                            .map(n -> " (did you mean '" + n + "'?)").orElse("")
                            + " (classes there: " + String.join(", ", classes) + ")");
                }
            }
        } catch (IOException unreachable) {
            // Spark's read reports it, with Spark's configuration
        }
    }

    /**
     * The configuration at the data set's image size: resolution 0 takes it; another size than the data set's is a
     * one-line error saying what to do.
     */
    private static TrainConfig atResolution(TrainConfig asked, int dataSide, String dataUri, Map<String, String> base,
                                            Map<String, String> file, Map<String, String> commandLine) {
        int resolution = asked.get(TrainConfig.RESOLUTION);
        if (resolution == dataSide) return asked;
        if (resolution != 0) {
            throw new BadInputException(dataUri + ": its images are " + dataSide + "x" + dataSide + " but --resolution is "
                    + resolution + " (train with --resolution " + dataSide + ", or prep the images with --size "
                    + resolution + ")");
        }
        Map<String, String> withSide = new LinkedHashMap<>(commandLine);
        withSide.put(TrainConfig.RESOLUTION.name(), Integer.toString(dataSide));
        return TrainConfig.resolve(base, file, withSide);
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

    private static double parseMinutes(String value) {
        try {
            double m = Double.parseDouble(value);
            if (m > 0) return m;
        } catch (NumberFormatException ignored) {
            // the message below says what is expected
        }
        throw new BadInputException("--time-limit must be a positive number of minutes, got '" + value + "'");
    }

    /** The configuration a run folder was last started with: the base a --resume is resolved against. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> previousConfig(RunFolder run) throws IOException {
        if (!run.exists(RunFolder.CONFIG)) {
            throw new BadInputException(run.root() + ": nothing to resume (no " + RunFolder.CONFIG + ")");
        }
        Map<String, Object> json = run.readJson(RunFolder.CONFIG);
        Map<String, String> values = stringValues((Map<String, Object>) json.get("config"));
        values.putIfAbsent(TrainConfig.RESOLUTION.name(), "32"); // runs from before the key were 32×32
        return values;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> readConfigFile(String uri) throws IOException {
        Map<String, Object> json;
        try {
            RunFolder parent = RunFolder.at(new Path(uri).getParent() == null ? "." : new Path(uri).getParent().toString(),
                    new Configuration());
            json = parent.readJson(new Path(uri).getName());
        } catch (java.io.FileNotFoundException e) {
            throw new BadInputException(uri + ": no such config file");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(uri + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (json.get("config") instanceof Map<?, ?> inner) json = (Map<String, Object>) inner; // a run's config.json
        return stringValues(json);
    }

    private static Map<String, String> stringValues(Map<String, Object> json) {
        Map<String, String> values = new LinkedHashMap<>();
        if (json != null) json.forEach((k, v) -> values.put(k, String.valueOf(v)));
        return values;
    }
}
