package org.sparkgan.train;

import org.sparkgan.BadInputException;
import org.sparkgan.model.ModelConfig;
import org.sparkgan.model.OptimizerConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that defines a training run, typed and validated in one place. Values resolve as
 * preset defaults ← config file ← command line; the same keys name the command-line options, the config file's
 * fields and config.json's "config" object. {@link #PARAMS} documents each key once.
 */
public record TrainConfig(String preset, ModelConfig model, OptimizerConfig optimizer, int batchSize, double labelNoise,
                          boolean reuseFakes, long seed, int steps, int logEvery, int sampleEvery, int checkpointEvery,
                          int keepCheckpoints, int threads, int workers, int averagingFrequency, int evalEvery,
                          int evalImages, String data, String className, String split) {

    /** A configuration key: its option name, value placeholder, help, and whether a resumed run may change it. */
    public record Param(String name, String valueName, String help, boolean runOnly) {}

    public static final List<Param> PARAMS = List.of(
            new Param("preset", "NAME", "seed: the book's model (G 6,264,579 + D 790,913 parameters),\n"
                    + "about 5.5 s/step at batch 20 on 2 cores;\n"
                    + "small: Dense to 32x16x16, 64 filters in every convolution (G 601,539 + D 198,849),\n"
                    + "about 0.75 s/step: for first runs and tests", false),
            new Param("data", "URI", "the Parquet data set written by prep", false),
            new Param("class", "NAME", "the CIFAR-10 class to learn", false),
            new Param("split", "SPLIT", "the split to train on", false),
            new Param("latent-dim", "N", "size of G's Gaussian input", false),
            new Param("g-dense-channels", "N", "channels of G's 16x16 map after its Dense layer", false),
            new Param("g-filters", "N", "filters of G's convolutions (all but the last)", false),
            new Param("d-filters", "N", "filters of D's convolutions", false),
            new Param("leaky-alpha", "X", "LeakyReLU slope (Keras default)", false),
            new Param("dropout", "X", "fraction of D's features dropped before its Dense layer", false),
            new Param("d-lr", "X", "D's RMSprop learning rate", false),
            new Param("g-lr", "X", "G's RMSprop learning rate", false),
            new Param("rho", "X", "RMSprop decay", false),
            new Param("epsilon", "X", "RMSprop epsilon", false),
            new Param("clip", "X", "every gradient value is clipped to +-X", false),
            new Param("batch-size", "N", "real images per iteration (D sees N fakes + N reals, G N fakes)", false),
            new Param("label-noise", "X", "D's labels get + X*U(0,1)", false),
            new Param("reuse-fakes", "BOOL", "true: G's step trains on the D step's fakes, as PyTorch's DCGAN example\n"
                    + "does, saving one G forward pass per step (about a fifth of a step); false: fresh\n"
                    + "latents for G's step, as the book's loop", false),
            new Param("seed", "N", "the run's random seed: initial weights, latents, label noise, dropout, shuffling", false),
            new Param("steps", "N", "total iterations of the run (a resumed run continues to this total)", true),
            new Param("log-every", "N", "print progress and append to metrics.jsonl every N steps", true),
            new Param("sample-every", "N", "write samples/step-NNNNNN.png every N steps", true),
            new Param("checkpoint-every", "N", "write checkpoints/step-NNNNNN/ every N steps", true),
            new Param("keep-checkpoints", "N", "how many of the newest checkpoints to keep", true),
            new Param("threads", "N", "ND4J compute threads per JVM or Spark task (0: every core in a single JVM,\n"
                    + "spark.task.cpus in a Spark task); pin it for bit-exact reruns", true),
            new Param("eval-every", "N", "every N steps, the Sliced Wasserstein Distance of eval-images generated vs\n"
                    + "as many training images goes into metrics.jsonl (0: never)", true),
            new Param("eval-images", "N", "images per set for eval-every", true),
            new Param("workers", "N", "with --master: Spark workers (data shards, tasks per round)", false),
            new Param("averaging-frequency", "K", "with --master: local steps per worker between averagings;\n"
                    + "--steps counts steps per worker and intervals are rounded to whole rounds", false));

    public static final List<String> PRESETS = List.of("seed", "small");

    /** The defaults of a preset, every key present. */
    public static Map<String, String> presetDefaults(String preset) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("preset", preset);
        v.put("data", "data/cifar10-parquet");
        v.put("class", "frog");
        v.put("split", "train");
        v.put("latent-dim", "32");
        v.put("leaky-alpha", "0.3");
        v.put("dropout", "0.4");
        v.put("d-lr", "0.0008");
        v.put("g-lr", "0.0004");
        v.put("rho", "0.9");
        v.put("epsilon", "1e-7");
        v.put("clip", "1.0");
        v.put("batch-size", "20");
        v.put("label-noise", "0.05");
        v.put("reuse-fakes", "false");
        v.put("seed", "42");
        v.put("steps", "10000");
        v.put("log-every", "10");
        v.put("sample-every", "100");
        v.put("checkpoint-every", "100");
        v.put("keep-checkpoints", "3");
        v.put("threads", "0");
        v.put("eval-every", "0");
        v.put("eval-images", "500");
        v.put("workers", "2");
        v.put("averaging-frequency", "4");
        switch (preset) {
            case "seed" -> {
                v.put("g-dense-channels", "128");
                v.put("g-filters", "256");
                v.put("d-filters", "128");
            }
            case "small" -> {
                v.put("g-dense-channels", "32");
                v.put("g-filters", "64");
                v.put("d-filters", "64");
            }
            default -> throw new BadInputException("unknown preset '" + preset + "' (expected one of "
                    + String.join(", ", PRESETS) + ")");
        }
        return v;
    }

    /**
     * Resolves a configuration: the preset (from {@code overrides}, else "seed") gives every default, then each
     * layer of overrides replaces values in order. Unknown keys and invalid values are one-line errors.
     */
    @SafeVarargs
    public static TrainConfig resolve(Map<String, String>... overrides) {
        String preset = "seed";
        for (Map<String, String> o : overrides) if (o.containsKey("preset")) preset = o.get("preset");
        Map<String, String> v = presetDefaults(preset);
        for (Map<String, String> o : overrides) {
            for (Map.Entry<String, String> e : o.entrySet()) {
                if (!v.containsKey(e.getKey())) throw new BadInputException("unknown configuration key '" + e.getKey() + "'");
                v.put(e.getKey(), e.getValue());
            }
        }
        return fromValues(v);
    }

    static TrainConfig fromValues(Map<String, String> v) {
        try {
            return new TrainConfig(v.get("preset"),
                    new ModelConfig(integer(v, "latent-dim"), integer(v, "g-dense-channels"), integer(v, "g-filters"),
                            integer(v, "d-filters"), number(v, "leaky-alpha"), number(v, "dropout")),
                    new OptimizerConfig(number(v, "d-lr"), number(v, "g-lr"), number(v, "rho"), number(v, "epsilon"),
                            number(v, "clip")),
                    integer(v, "batch-size"), number(v, "label-noise"), bool(v, "reuse-fakes"),
                    Long.parseLong(v.get("seed").trim()),
                    integer(v, "steps"), integer(v, "log-every"), integer(v, "sample-every"),
                    integer(v, "checkpoint-every"), integer(v, "keep-checkpoints"), integer(v, "threads"),
                    integer(v, "workers"), integer(v, "averaging-frequency"), integer(v, "eval-every"),
                    integer(v, "eval-images"), v.get("data"), v.get("class"), v.get("split"));
        } catch (BadInputException e) {
            throw e;
        } catch (NumberFormatException e) {
            throw new BadInputException("seed must be a whole number, got '" + v.get("seed") + "'");
        } catch (IllegalArgumentException e) { // ModelConfig and OptimizerConfig validate their own values
            throw new BadInputException(e.getMessage(), e);
        }
    }

    public TrainConfig {
        positive("batch-size", batchSize);
        positive("steps", steps);
        positive("log-every", logEvery);
        positive("sample-every", sampleEvery);
        positive("checkpoint-every", checkpointEvery);
        positive("keep-checkpoints", keepCheckpoints);
        positive("workers", workers);
        positive("averaging-frequency", averagingFrequency);
        positive("eval-images", evalImages);
        if (evalEvery < 0) throw new BadInputException("eval-every must be 0 (never) or positive, got " + evalEvery);
        if (threads < 0) throw new BadInputException("threads must be 0 (one per core) or positive, got " + threads);
        if (!(labelNoise >= 0)) throw new BadInputException("label-noise must be non-negative, got " + labelNoise);
        if (data == null || data.isBlank()) throw new BadInputException("data must name the Parquet data set");
        if (!List.of("train", "test").contains(split)) throw new BadInputException("split must be train or test, got " + split);
    }

    private static void positive(String name, long value) {
        if (value <= 0) throw new BadInputException(name + " must be positive, got " + value);
    }

    private static int integer(Map<String, String> v, String key) {
        try {
            return Integer.parseInt(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new BadInputException(key + " must be a whole number, got '" + v.get(key) + "'");
        }
    }

    private static boolean bool(Map<String, String> v, String key) {
        return switch (v.get(key).trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BadInputException(key + " must be true or false, got '" + v.get(key) + "'");
        };
    }

    private static double number(Map<String, String> v, String key) {
        try {
            return Double.parseDouble(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new BadInputException(key + " must be a number, got '" + v.get(key) + "'");
        }
    }

    /** Every key with its value, in {@link #PARAMS} order: what config.json records and --config reads back. */
    public Map<String, String> values() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("preset", preset);
        v.put("data", data);
        v.put("class", className);
        v.put("split", split);
        v.put("latent-dim", Integer.toString(model.latentDim()));
        v.put("g-dense-channels", Integer.toString(model.generatorDenseChannels()));
        v.put("g-filters", Integer.toString(model.generatorFilters()));
        v.put("d-filters", Integer.toString(model.discriminatorFilters()));
        v.put("leaky-alpha", Double.toString(model.leakyAlpha()));
        v.put("dropout", Double.toString(model.dropoutRate()));
        v.put("d-lr", Double.toString(optimizer.discriminatorLearningRate()));
        v.put("g-lr", Double.toString(optimizer.generatorLearningRate()));
        v.put("rho", Double.toString(optimizer.rho()));
        v.put("epsilon", Double.toString(optimizer.epsilon()));
        v.put("clip", Double.toString(optimizer.clipValue()));
        v.put("batch-size", Integer.toString(batchSize));
        v.put("label-noise", Double.toString(labelNoise));
        v.put("reuse-fakes", Boolean.toString(reuseFakes));
        v.put("seed", Long.toString(seed));
        v.put("steps", Integer.toString(steps));
        v.put("log-every", Integer.toString(logEvery));
        v.put("sample-every", Integer.toString(sampleEvery));
        v.put("checkpoint-every", Integer.toString(checkpointEvery));
        v.put("keep-checkpoints", Integer.toString(keepCheckpoints));
        v.put("threads", Integer.toString(threads));
        v.put("eval-every", Integer.toString(evalEvery));
        v.put("eval-images", Integer.toString(evalImages));
        v.put("workers", Integer.toString(workers));
        v.put("averaging-frequency", Integer.toString(averagingFrequency));
        return v;
    }

    /**
     * Keys whose values differ between this configuration and {@code other}, ignoring those a resumed run may
     * change ({@link Param#runOnly()}).
     */
    public List<String> modelOrDataDifferences(TrainConfig other) {
        Map<String, String> a = values(), b = other.values();
        return PARAMS.stream().filter(p -> !p.runOnly())
                .map(Param::name)
                .filter(k -> !equalValues(a.get(k), b.get(k)))
                .map(k -> k + " " + b.get(k) + " (checkpoint) vs " + a.get(k))
                .toList();
    }

    private static boolean equalValues(String x, String y) {
        if (x.equals(y)) return true;
        try {
            return Double.parseDouble(x) == Double.parseDouble(y);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
