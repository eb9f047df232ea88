package org.sparkgan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.sparkgan.BadInputException;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.eval.SlicedWasserstein;
import org.sparkgan.io.RunFolder;
import org.sparkgan.ml.DcganModel;
import org.sparkgan.ml.SwdEvaluator;
import org.sparkgan.train.ComputeThreads;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code eval}: Sliced Wasserstein Distance of a checkpoint's images to real ones, beside the real-vs-real floor. */
final class EvalCommand implements Command {
    static final List<Option> OPTIONS = List.of(
            Option.value("checkpoint", "URI", null, "a checkpoint folder, e.g. <run>/checkpoints/step-NNNNNN\n"
                    + "(local path, file://, hdfs://), or a run folder: each of its checkpoints, oldest first, one\n"
                    + "line (or JSON object) each. This or --generated is required."),
            Option.value("generated", "URI", null, "instead of a checkpoint: a data set of images generated elsewhere\n"
                    + "(another trainer's samples as PNGs or CIFAR-10 records, through prep); its first N images of\n"
                    + "--class (any split) are scored"),
            Option.value("reference", "URI", null, "the Parquet data set written by prep. Required."),
            Option.value("class", "NAME", null, "the class of the real images; default: the checkpoint's class\n"
                    + "(required with --generated)"),
            Option.value("split", "SPLIT", "test", "the split of the real images generated ones are compared with"),
            Option.value("images", "N", "1000", "images per set: N generated vs the first N real ones"),
            Option.value("seed", "N", "0", "seed of the latents (as generate --seed), patch positions and directions"),
            Option.value("use-ema", "BOOL", "true", "true: G's moving average (train --ema-kimg), where the checkpoint has\n"
                    + "one; false: G's own weights"),
            Option.flag("json", "print one JSON object instead of one line per value"));

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "Sliced Wasserstein Distance of generated vs real images, with the real-vs-real floor";
    }

    @Override
    public String description() {
        return """
                Generates N images from the checkpoint (the latents of generate --seed) and compares them with the
                first N real images of the class and split: SWD x1000 (Karras et al., ICLR 2018, Progressive GAN) per
                Laplacian-pyramid level (32 and 16) and their mean; lower is closer. The same distance between N train
                and N test images of the class is printed as the floor: what real images score against each other,
                so a generator near it is as close as the metric can tell (N is cut to the smaller split if needed).
                Values depend on N (compare runs at the same N) and move by a few percent with the seed.
                SWD normalises each set's colour channels, so it does not see a global colour or contrast shift:
                look at the images too (generate --grid).
                --generated scores images made elsewhere with the same code, e.g. a reference implementation's
                samples written as CIFAR-10 records and turned into a data set by prep.""";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    /** --use-ema's value; anything but true or false is a one-line error. */
    static boolean useEma(ParsedArgs args) {
        return switch (args.string("use-ema")) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BadInputException("--use-ema must be true or false, got '" + args.string("use-ema") + "'");
        };
    }

    @Override
    public void run(ParsedArgs args) throws Exception {
        String checkpointUri = args.string("checkpoint"), generatedUri = args.string("generated");
        String reference = args.required("reference");
        if ((checkpointUri == null) == (generatedUri == null)) {
            throw new BadInputException("eval: give exactly one of --checkpoint and --generated");
        }
        if (generatedUri != null && args.string("class") == null) {
            throw new BadInputException("eval: --generated needs --class (the class of the real images to compare with)");
        }
        int n = args.integer("images", 1);
        long seed = args.longValue("seed");
        String split = args.string("split");
        if (!CifarParquet.SPLITS.contains(split)) {
            throw new BadInputException("--split: unknown split '" + split + "' (expected train or test)");
        }

        ComputeThreads.pin(0);
        List<String> checkpointUris = new ArrayList<>();
        DcganModel first = null;
        Configuration hadoopConf;
        String className;
        List<byte[]> real, train, test, made = null;
        SparkSession spark = SparkSessions.start("sparkgan eval", null);
        try {
            hadoopConf = new Configuration(spark.sparkContext().hadoopConfiguration());
            if (checkpointUri != null) {
                checkpointUris.addAll(checkpointsOf(checkpointUri, hadoopConf));
                first = DcganModel.fromCheckpoint(checkpointUris.get(0), hadoopConf).setUseEma(useEma(args));
            }
            // the data set's own class names: CifarParquet resolves and checks it
            className = args.string("class") == null ? first.config().className() : args.string("class");
            if (generatedUri != null) {
                made = atLeast(n, CifarParquet.collectImages(spark, generatedUri, null, className), generatedUri,
                        "images of class " + className);
            }
            real = atLeast(n, CifarParquet.collectImages(spark, reference, split, className), reference,
                    split + " images of class " + className);
            train = split.equals("train") ? real : CifarParquet.collectImages(spark, reference, "train", className);
            test = split.equals("test") ? real : CifarParquet.collectImages(spark, reference, "test", className);
        } finally {
            spark.stop(); // the rest needs no Spark
        }
        int floorN = Math.min(n, Math.min(train.size(), test.size()));
        String floorNote = floorN == n ? "" : "N cut from " + n + ": only " + Math.min(train.size(), test.size())
                + " " + (train.size() < test.size() ? "train" : "test") + " images";
        String source = first != null ? "checkpoint " + checkpointUri + " (step " + first.step() + ")"
                : "generated images " + generatedUri;
        if (checkpointUris.size() > 1) source = checkpointUris.size() + " checkpoints of " + checkpointUri;
        System.err.printf("eval: %s: %d generated vs the first %d %s %s images of %s; seed %d%n",
                source, n, n, split, className, reference, seed);

        long t0 = System.nanoTime();
        SlicedWasserstein.Described reals = SlicedWasserstein.describe(ImageTensors.toTensor(real.subList(0, n)), seed);
        SlicedWasserstein.Result floor = SwdEvaluator.floor(train, test, n, seed);
        Scores scores = new Scores(args.flag("json"), reference, className, split, seed, floor, floorNote,
                checkpointUris.size() > 1);
        if (first == null) {
            scores.print(null, null, generatedUri,
                    SlicedWasserstein.distance(ImageTensors.toTensor(made.subList(0, n)), reals));
        }
        for (String uri : checkpointUris) {
            // one run's checkpoints share its class: a resume may not change it
            DcganModel model = uri.equals(checkpointUris.get(0)) ? first
                    : DcganModel.fromCheckpoint(uri, hadoopConf).setUseEma(useEma(args));
            scores.print(uri, model.step(), null, SlicedWasserstein.distance(model.samples(n, seed), reals));
        }
        scores.floorLine();
        System.err.printf("eval: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** A checkpoint folder as it is; a run folder as its checkpoints, oldest first (none: a one-line error). */
    private static List<String> checkpointsOf(String uri, Configuration conf) throws IOException {
        RunFolder run = RunFolder.at(uri, conf);
        if (!run.exists(RunFolder.CHECKPOINTS)) return List.of(uri);
        List<String> uris = new ArrayList<>();
        for (long step : run.checkpointSteps()) {
            uris.add(run.path(RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(step)).toString());
        }
        if (uris.isEmpty()) throw new BadInputException(uri + ": a run folder without a complete checkpoint");
        return uris;
    }

    /**
     * What every printed score shares. Text: a line per score, the floor's line once at the end ({@link #floorLine});
     * JSON: one self-contained object per score. {@code several}: more than one checkpoint, so each line names its step.
     */
    private record Scores(boolean json, String reference, String className, String split, long seed,
                          SlicedWasserstein.Result floor, String floorNote, boolean several) {
        void print(String checkpointUri, Long step, String generatedUri, SlicedWasserstein.Result vsReal)
                throws IOException {
            String vsName = "swd_generated_vs_" + split;
            if (!json) {
                System.out.println(line(vsName + (several ? " step " + step : ""), vsReal, ""));
                return;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            if (checkpointUri != null) {
                out.put("checkpoint", checkpointUri);
                out.put("step", step);
            } else {
                out.put("generated", generatedUri);
            }
            out.put("reference", reference);
            out.put("class", className);
            out.put("split", split);
            out.put("seed", seed);
            out.put("metric", "SWD x1000 per Laplacian level and their mean (Karras et al., ICLR 2018)");
            out.put(vsName, values(vsReal, null));
            out.put("swd_train_vs_test", values(floor, "real-vs-real floor" + (floorNote.isEmpty() ? "" : "; " + floorNote)));
            System.out.println(new ObjectMapper().writeValueAsString(out));
        }

        void floorLine() {
            if (!json) {
                System.out.println(line("swd_train_vs_test (real-vs-real floor)", floor,
                        floorNote.isEmpty() ? "" : "  (" + floorNote + ")"));
            }
        }
    }

    /** {@code images}, or a one-line error when it holds fewer than the {@code n} that --images asks for. */
    private static List<byte[]> atLeast(int n, List<byte[]> images, String uri, String what) {
        if (images.size() < n) {
            throw new BadInputException(uri + ": only " + images.size() + " " + what + ", fewer than --images " + n);
        }
        return images;
    }

    /** Fixed decimal points whatever the user's locale, so the lines parse. */
    private static String line(String name, SlicedWasserstein.Result r, String note) {
        StringBuilder sb = new StringBuilder(name).append("  N=").append(r.images());
        for (SlicedWasserstein.Level level : r.levels()) {
            sb.append(String.format(Locale.ROOT, "  level%d=%.4f", level.resolution(), level.value()));
        }
        return sb.append(String.format(Locale.ROOT, "  avg=%.4f", r.average())).append(note).toString();
    }

    private static Map<String, Object> values(SlicedWasserstein.Result r, String note) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", r.images());
        for (SlicedWasserstein.Level level : r.levels()) m.put("level" + level.resolution(), level.value());
        m.put("avg", r.average());
        if (note != null) m.put("note", note);
        return m;
    }
}
