package org.sparkgan.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkgan.BadInputException;
import org.sparkgan.Names;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.io.PathKinds;
import org.sparkgan.io.RunFolder;
import org.sparkgan.ml.TrainingRun;
import org.sparkgan.train.Param;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
            Trainer.Start start = auto ? Trainer.Start.AUTO : resume ? Trainer.Start.RESUME
                    : overwrite ? Trainer.Start.OVERWRITE : Trainer.Start.NEW;
            TrainingRun run = TrainingRun.open(spark, args.string("output"), start, distributed, dataSet(spark),
                    System.out, file, commandLine);
            MemoryCheck.requireOffHeapFor(run.config());
            if (distributed) MemoryCheck.requireContainerMemoryFor(run.config(), spark.sparkContext().getConf());
            run.readImages();
            if (!distributed) spark.stop(); // the single-JVM trainer needs no Spark
            if (timeLimitMinutes > 0) run.timeLimit(timeLimitMinutes);
            trainStoppingOnSignals(run);
        } finally {
            spark.stop();
        }
    }

    /** The configuration's class and split of the Parquet data set its {@code data} key names. */
    private static TrainingRun.Images dataSet(SparkSession spark) {
        Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
        return new TrainingRun.Images() {
            @Override
            public Dataset<Row> select(TrainConfig config) {
                return CifarParquet.selectImages(spark, uri(config), config.split(), config.className());
            }

            @Override
            public String uri(TrainConfig config) {
                Path dataPath = new Path(config.data());
                try {
                    return dataPath.getFileSystem(hadoopConf).makeQualified(dataPath).toString();
                } catch (IOException e) {
                    throw new UncheckedIOException(config.data() + ": " + e.getMessage(), e);
                }
            }

            @Override
            public int resolution(TrainConfig config) {
                return CifarParquet.resolution(spark, uri(config));
            }
        };
    }

    /**
     * Hadoop's shutdown hooks run one at a time, the highest priority first; Spark stops its context from a hook at
     * {@code FileSystem.SHUTDOWN_HOOK_PRIORITY + 30} and Hadoop closes the file systems at
     * {@code FileSystem.SHUTDOWN_HOOK_PRIORITY}. The stop runs before both: the round in flight needs the context,
     * and the checkpoint the file system.
     */
    private static final int STOP_HOOK_PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 40;

    /**
     * Trains with Ctrl-C / SIGTERM turned into a checkpoint and a clean stop: the JVM's shutdown waits (up to ten
     * minutes) for the current round and the checkpoint. A plain JVM hook would run beside Spark's, which cancels the
     * round's job.
     */
    private static void trainStoppingOnSignals(TrainingRun run) throws IOException {
        CountDownLatch finished = new CountDownLatch(1);
        Runnable hook = () -> {
            run.requestStop();
            try {
                finished.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        };
        ShutdownHookManager hooks = ShutdownHookManager.get();
        hooks.addShutdownHook(hook, STOP_HOOK_PRIORITY, 11, TimeUnit.MINUTES); // past the wait, so the hook ends it
        try {
            run.train();
        } finally {
            finished.countDown();
            try {
                hooks.removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the latch is down
            }
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

    private static double parseMinutes(String value) {
        try {
            double m = Double.parseDouble(value);
            if (m > 0) return m;
        } catch (NumberFormatException ignored) {
            // the message below says what is expected
        }
        throw new BadInputException("--time-limit must be a positive number of minutes, got '" + value + "'");
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
