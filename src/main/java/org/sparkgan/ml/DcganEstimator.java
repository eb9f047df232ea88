package org.sparkgan.ml;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.LoggerFactory;
import org.sparkgan.BadInputException;
import org.sparkgan.io.RunFolder;
import org.sparkgan.train.RunObserver;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;
import scala.Function1;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DCGAN trainer as a Spark ML estimator: {@code fit} makes the run folder {@code train} makes, on the active
 * SparkSession (on the executors when {@code workers} is set, else in the driver's JVM), and returns its newest
 * checkpoint's generator as a {@link DcganModel}. Its configuration Params are {@link TrainConfig#PARAMS}, with their
 * help as doc and their checks as validators: a key set here is a key given to {@code train}, and an unset key takes
 * its preset's default (the defaults shown are the seed preset's).
 */
public final class DcganEstimator extends Estimator<DcganModel> implements DefaultParamsWritable {
    /** Spark ML's own names for keys it already has. */
    private static final Map<String, String> SPARK_NAMES = Map.of(TrainConfig.CHECKPOINT_EVERY.name(),
            "checkpointInterval");
    static final List<String> STARTS = Arrays.stream(Trainer.Start.values())
            .map(s -> s.name().toLowerCase(Locale.ROOT)).toList();

    private final String uid;
    private final Map<String, Param<?>> configParams = new LinkedHashMap<>(); // by TrainConfig key
    private final Param<String> runDir;
    private final Param<String> imageCol;
    private final Param<String> start;
    private final List<RunObserver> listeners = new ArrayList<>();

    public DcganEstimator() {
        this(Identifiable$.MODULE$.randomUID("dcgan"));
    }

    public DcganEstimator(String uid) {
        this.uid = uid;
        for (org.sparkgan.train.Param<?> key : TrainConfig.PARAMS) configParams.put(key.name(), sparkParam(key));
        runDir = new Param<>(this, "runDir", "the run folder (local path, file://, hdfs://): what train --output "
                + "writes, report.html included", valid(s -> !s.isBlank(), "runDir must name a folder"));
        imageCol = new Param<>(this, "imageCol", "the images: prep's binary column, or the struct of Spark's image "
                + "data source", valid(s -> !s.isBlank(), "imageCol must name a column"));
        start = new Param<>(this, "start", "how the run folder is treated: new (refused when it has content), "
                + "resume (from its newest checkpoint), auto (resume where there is a checkpoint, else start), "
                + "overwrite (delete it and start again)", valid(STARTS::contains,
                "start must be one of " + String.join(", ", STARTS)));
        setDefault(runDir, "runs/dcgan");
        setDefault(imageCol, "image");
        setDefault(start, "new");
    }

    /** A Spark Param of the TrainConfig key's type, its validator the key's own check (the one-line error). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Param<?> sparkParam(org.sparkgan.train.Param<?> key) {
        String name = SPARK_NAMES.getOrDefault(key.name(), camelCase(key.name()));
        String doc = key.help().replace("\n", " ");
        Function1<Object, Object> valid = v -> {
            key.parse(key.format(v));
            return true;
        };
        Object defaultValue = key.parse(key.defaultValue());
        Param p;
        if (defaultValue instanceof Integer) p = new IntParam(this, name, doc, valid);
        else if (defaultValue instanceof Long) p = new LongParam(this, name, doc, valid);
        else if (defaultValue instanceof Double) p = new DoubleParam(this, name, doc, valid);
        else if (defaultValue instanceof Boolean) p = new BooleanParam(this, name, doc); // any boolean is valid
        else p = new Param<String>(this, name, doc, (Function1) valid);
        setDefault(p, defaultValue);
        return p;
    }

    private static Function1<String, Object> valid(java.util.function.Predicate<String> ok, String message) {
        return v -> {
            if (!ok.test(v)) throw new BadInputException(message + ", got '" + v + "'");
            return true;
        };
    }

    /** "g-dense-channels" → "gDenseChannels". */
    static String camelCase(String key) {
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char c : key.toCharArray()) {
            if (c == '-') upper = true;
            else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Param<?>[] params() {
        List<Param<?>> all = new ArrayList<>(configParams.values());
        all.addAll(List.of(runDir, imageCol, start));
        return all.toArray(Param<?>[]::new);
    }

    /** The Spark Param of a configuration key. */
    @SuppressWarnings("unchecked")
    public <T> Param<T> param(org.sparkgan.train.Param<T> key) {
        return (Param<T>) configParams.get(key.name());
    }

    /** Sets a configuration key, checked as train checks it. */
    public <T> DcganEstimator setConfig(org.sparkgan.train.Param<T> key, T value) {
        return (DcganEstimator) set(param(key), value);
    }

    /**
     * Sets the keys where {@code config} differs from its preset's defaults, and the preset: the rest follow the
     * preset, as on the command line (an unchanged {@code data} key then lets {@code fit} name the DataFrame's origin).
     */
    public DcganEstimator setConfig(TrainConfig config) {
        Map<String, String> defaults = TrainConfig.presetDefaults(config.preset());
        for (org.sparkgan.train.Param<?> key : TrainConfig.PARAMS) {
            boolean isDefault = config.get(key).equals(key.parse(defaults.get(key.name())));
            if (key == TrainConfig.PRESET || !isDefault) setFrom(config, key);
        }
        return this;
    }

    private <T> void setFrom(TrainConfig config, org.sparkgan.train.Param<T> key) {
        set(param(key), config.get(key));
    }

    /** The keys set on this estimator, as train's command line would give them. */
    Map<String, String> configSet() {
        Map<String, String> set = new LinkedHashMap<>();
        for (org.sparkgan.train.Param<?> key : TrainConfig.PARAMS) {
            Param<?> p = configParams.get(key.name());
            if (isSet(p)) set.put(key.name(), key.format(getOrDefault(p)));
        }
        return set;
    }

    /** The configuration {@code fit} trains a new run with (before the data's resolution is known). */
    public TrainConfig getConfig() {
        return TrainConfig.resolve(configSet());
    }

    /** The run folder: any Hadoop URI. */
    public DcganEstimator setRunDir(String uri) { return (DcganEstimator) set(runDir, uri); }
    public String getRunDir() { return getOrDefault(runDir); }
    /** Prep's binary image column, or the struct column of Spark's image data source. */
    public DcganEstimator setImageCol(String column) { return (DcganEstimator) set(imageCol, column); }
    public String getImageCol() { return getOrDefault(imageCol); }
    /** new, resume, auto or overwrite: as train's default, --resume, --resume auto and --overwrite. */
    public DcganEstimator setStart(String how) { return (DcganEstimator) set(start, how); }
    public String getStart() { return getOrDefault(start); }

    // setConfig for the keys most often set
    public DcganEstimator setSeed(long seed) { return setConfig(TrainConfig.SEED, seed); }
    public DcganEstimator setCheckpointInterval(int steps) { return setConfig(TrainConfig.CHECKPOINT_EVERY, steps); }
    public DcganEstimator setSteps(int steps) { return setConfig(TrainConfig.STEPS, steps); }
    public DcganEstimator setPreset(String preset) { return setConfig(TrainConfig.PRESET, preset); }
    /** Trains on the executors with this many workers; unset, {@code fit} trains in the driver's JVM. */
    public DcganEstimator setWorkers(int workers) { return setConfig(TrainConfig.WORKERS, workers); }

    /** Adds a listener of the runs {@code fit} trains: progress records, samples, checkpoints. */
    public DcganEstimator addListener(RunObserver listener) {
        listeners.add(listener);
        return this;
    }

    @Override
    public DcganModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        SparkSession spark = dataset.sparkSession();
        String column = getImageCol();
        Trainer.Start how = Trainer.Start.valueOf(getStart().toUpperCase(Locale.ROOT));
        Map<String, String> set = configSet();
        TrainingRun.Images images = new TrainingRun.Images() {
            @Override
            public Dataset<Row> select(TrainConfig config) {
                return ImageColumns.idsAndImages(dataset, column, config.split(), config.className());
            }

            @Override
            public String uri(TrainConfig config) {
                return set.containsKey(TrainConfig.DATA.name()) ? config.data() : origin(dataset);
            }

            @Override
            public int resolution(TrainConfig config) {
                return ImageColumns.side(select(config));
            }
        };
        PrintStream log = LogLines.to(LoggerFactory.getLogger(DcganEstimator.class));
        try {
            // config.json's data names where the images came from, unless a continued run recorded it already
            Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
            if (!set.containsKey(TrainConfig.DATA.name())
                    && !TrainingRun.continues(RunFolder.at(getRunDir(), hadoopConf), how)) {
                set.put(TrainConfig.DATA.name(), origin(dataset));
            }
            TrainingRun run = TrainingRun.open(spark, getRunDir(), how, isSet(param(TrainConfig.WORKERS)), images, log,
                    set);
            listeners.forEach(run::observe);
            run.readImages().train();
            return DcganModel.fromCheckpoint(run.newestCheckpoint(), hadoopConf).setParent(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where a DataFrame's rows were read from: the folder holding its files, above prep's partition folders
     * ({@code split=.../label_name=...}); a DataFrame built in memory has none.
     */
    static String origin(Dataset<?> dataset) {
        String[] files = dataset.inputFiles();
        if (files.length == 0) return "memory:" + dataset.sparkSession().sparkContext().applicationId();
        Path common = new Path(files[0]).getParent();
        for (String f : files) {
            while (!(new Path(f).toString() + "/").startsWith(common.toString() + "/")) common = common.getParent();
        }
        while (common.getName().contains("=") && common.getParent() != null) common = common.getParent();
        return common.toString();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        ImageColumns.requireImageColumn(schema, getImageCol());
        return schema;
    }

    @Override
    public DcganEstimator copy(ParamMap extra) {
        DcganEstimator copy = defaultCopy(extra);
        copy.listeners.addAll(listeners);
        return copy;
    }

    public static MLReader<DcganEstimator> read() {
        return new DefaultParamsReader<>();
    }

    public static DcganEstimator load(String path) {
        return read().load(path);
    }
}
