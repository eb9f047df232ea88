package org.sparkgan.cli;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgan.bench.AveragingCost;
import org.sparkgan.bench.Bench;
import org.sparkgan.bench.OpCensus;
import org.sparkgan.BadInputException;
import org.sparkgan.io.RunFolder;
import org.sparkgan.model.Dcgan;
import org.sparkgan.train.ComputeThreads;
import org.sparkgan.train.Param;
import org.sparkgan.train.TrainConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code bench}: seconds per phase of the product's training step, single-JVM and on Spark. */
final class BenchCommand implements Command {
    /** The configuration keys bench takes from train, with the small preset's defaults. */
    private static final List<Param<?>> TRAIN_KEYS = List.of(TrainConfig.PRESET, TrainConfig.RESOLUTION,
            TrainConfig.BATCH_SIZE,
            TrainConfig.THREADS, TrainConfig.REUSE_FAKES, TrainConfig.AUGMENT, TrainConfig.WORKERS,
            TrainConfig.AVERAGING_FREQUENCY);

    static final List<Option> OPTIONS = buildOptions();

    private static List<Option> buildOptions() {
        List<Option> options = new ArrayList<>();
        for (Param<?> key : TRAIN_KEYS) options.add(Option.of(key, "small"));
        options.addAll(List.of(
            Option.value("warmup", "N", "2", "unmeasured iterations (rounds on Spark) first"),
            Option.value("iterations", "N", "5", "measured iterations (rounds on Spark)"),
            Option.value("mode", "MODE", "both", "jvm, spark, both; layers: each layer of G and D timed forward and\n"
                    + "backward on its own, with its GFLOP/s (where the time goes); ops: the step's time by libnd4j op\n"
                    + "(ND4J's profiler) and the cost of an empty op call, i.e. the step's per-op floor; averaging:\n"
                    + "a round's tree mean on Spark at 1 to --workers workers, split into scheduling, serialisation,\n"
                    + "additions and moving bytes, with the shuffle bytes of each tree level"),
            Option.value("layers", "KIND", "ops", "convolutions of the single-JVM part: ops (libnd4j conv2d ops,\n"
                    + "what training uses) or dl4j (DL4J's own ConvolutionLayer: the baseline)"),
            Option.value("master", "URL", null, "Spark master for the Spark part; default: the one spark-submit\n"
                    + "gives (e.g. standalone.sh --master spark://host:7077 bench ...), else local[2]"),
            Option.flag("json", "print one JSON object instead of tables")));
        return List.copyOf(options);
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "time the training step by phase (single JVM and Spark): seconds, images/s, GFLOP/s, CPU s";
    }

    @Override
    public String description() {
        return """
                Runs the product's own GanStep on random images: fake generation, D step and G step (and on Spark the
                averaging, i.e. the part of each round outside the workers' compute, and the tree mean alone over
                --workers model-sized sums) with median / min / max seconds, achieved GFLOP/s from an analytic FLOP
                count of the configured networks (a multiply-add is 2 FLOPs, a backward pass twice its forward), real
                images/s, process CPU seconds and, on Spark, the bytes the driver receives per round.""";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public void run(ParsedArgs args) throws Exception {
        String mode = args.string("mode");
        if (!List.of("jvm", "spark", "both", "layers", "ops", "averaging").contains(mode)) {
            throw new BadInputException("--mode must be jvm, spark, both, layers, ops or averaging, got '" + mode + "'");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Param<?> key : TRAIN_KEYS) values.put(key.name(), args.string(key.name()));
        TrainConfig config = TrainConfig.resolve(values);
        int warmup = args.integer("warmup", 0), iterations = args.integer("iterations", 1);
        ComputeThreads.pin(config.threads());
        List<Bench.Report> reports = new ArrayList<>();
        Dcgan.Convolutions layers = switch (args.string("layers")) {
            case "ops" -> Dcgan.Convolutions.OPS;
            case "dl4j" -> Dcgan.Convolutions.DL4J_LAYERS;
            default -> throw new BadInputException("--layers must be ops or dl4j, got '" + args.string("layers") + "'");
        };
        OpCensus.Result census = mode.equals("ops") ? OpCensus.run(config, warmup, iterations) : null;
        if (mode.equals("layers")) reports.add(Bench.layers(config, layers, warmup, iterations));
        if (mode.equals("jvm") || mode.equals("both")) reports.add(Bench.singleJvm(config, layers, warmup, iterations));
        AveragingCost.Result averaging = null;
        if (mode.equals("spark") || mode.equals("both") || mode.equals("averaging")) {
            String master = args.string("master") != null || SparkSessions.underSparkSubmit() ? args.string("master")
                    : "local[2]";
            SparkSession spark = SparkSessions.start("sparkgan bench", master, true);
            try {
                if (mode.equals("averaging")) {
                    averaging = AveragingCost.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), config,
                            iterations);
                } else {
                    reports.add(Bench.spark(spark, config, warmup, iterations));
                }
            } finally {
                spark.stop();
            }
        }
        if (args.flag("json")) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("preset", config.preset());
            json.put("batch_size", config.batchSize());
            List<Map<String, Object>> all = new ArrayList<>(reports.stream().map(Bench::toJson).toList());
            if (census != null) all.add(OpCensus.toJson(census));
            if (averaging != null) all.add(AveragingCost.toJson(averaging));
            json.put("reports", all);
            System.out.println(RunFolder.JSON.writeValueAsString(json));
        } else {
            System.out.printf("bench: %s preset, batch %d, %d warm-up + %d measured%n", config.preset(),
                    config.batchSize(), warmup, iterations);
            for (Bench.Report r : reports) System.out.print(Bench.toText(r));
            if (census != null) System.out.print(OpCensus.toText(census));
            if (averaging != null) System.out.print(AveragingCost.toText(averaging));
        }
    }
}
