package org.sparkgan.train;

import org.sparkgan.BadInputException;
import org.sparkgan.Names;
import org.sparkgan.model.Dcgan;
import org.sparkgan.model.ModelConfig;
import org.sparkgan.model.OptimizerConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that defines a training run, typed and validated in one place. Values resolve as
 * preset defaults ← config file ← command line; the same keys name the command-line options, the config file's
 * fields and config.json's "config" object. Each key is declared once, in {@link #PARAMS}; a new key needs its
 * declaration there and nothing else here ({@link #get} reads it).
 */
public final class TrainConfig {
    public static final List<String> PRESETS = List.of("seed", "seed-plus", "small", "small-plus");

    private static boolean positive(Number n) {
        return n.doubleValue() > 0;
    }

    private static boolean nonNegative(Number n) {
        return n.doubleValue() >= 0;
    }

    public static final Param<String> PRESET = Param.choice("preset", "NAME",
            "seed: the book's model (G 6,264,579 + D 790,913 parameters),\n"
                    + "about 2.6-5 s/step at batch 20 on 2 cores (its 10,000 steps: 7-14 h);\n"
                    + "seed-plus: the seed's model with the measured recipe (a slower G, g-lr 0.0001;\n"
                    + "DiffAugment's translation; G's moving average), never measured with this model;\n"
                    + "small: Dense to 32x16x16, 64 filters in every convolution (G 601,539 + D 198,849),\n"
                    + "about 0.4-0.7 s/step: for first runs and tests (--preset small --steps 2000: 15-25 min);\n"
                    + "small-plus: the small model with the recipe, measured on it only: the slower G on\n"
                    + "seeds 1-3 to 3,000 steps, with translation on seed 1 to 10,000 (SWD 17.7, the book's\n"
                    + "loop 47.0); behind the book's loop in the first ~1,000 steps, ahead from 2,000",
            PRESETS).byDefault("seed");
    public static final Param<String> DATA = Param.text("data", "URI", "the Parquet data set written by prep")
            .require(s -> !s.isBlank(), "the URI of the Parquet data set").byDefault("data/cifar10-parquet");
    public static final Param<String> CLASS = Param.text("class", "NAMES",
                    "the classes to learn: one (frog), several comma-separated (frog,cat),\nor all")
            .byDefault("frog");
    public static final Param<String> SPLIT = Param.choice("split", "SPLIT", "the split to train on",
            List.of("train", "test")).byDefault("train");
    public static final Param<Integer> RESOLUTION = Param.integer("resolution", "N",
                    "side of the images G makes and D judges: 32 or 64 (64: one more stride-2 stage\n"
                            + "in each); 0: the data set's size. A data set of another size is refused")
            .require(r -> r == 0 || r == 32 || r == 64, "0 (the data set's size), 32 or 64").byDefault("0");
    public static final Param<Integer> LATENT_DIM = Param.integer("latent-dim", "N", "size of G's Gaussian input")
            .require(TrainConfig::positive, "positive").byDefault("32").step();
    public static final Param<Integer> G_DENSE_CHANNELS = Param.integer("g-dense-channels", "N",
                    "channels of G's 16x16 map after its Dense layer")
            .require(TrainConfig::positive, "positive").byDefault("128").inPreset("small", "32")
            .inPreset("small-plus", "32");
    public static final Param<Integer> G_FILTERS = Param.integer("g-filters", "N",
                    "filters of G's convolutions (all but the last)")
            .require(TrainConfig::positive, "positive").byDefault("256").inPreset("small", "64")
            .inPreset("small-plus", "64");
    public static final Param<Integer> D_FILTERS = Param.integer("d-filters", "N", "filters of D's convolutions")
            .require(TrainConfig::positive, "positive").byDefault("128").inPreset("small", "64")
            .inPreset("small-plus", "64");
    public static final Param<Double> LEAKY_ALPHA = Param.number("leaky-alpha", "X", "LeakyReLU slope (Keras default)")
            .require(a -> a >= 0 && a < 1, "in [0, 1)").byDefault("0.3");
    public static final Param<Double> DROPOUT = Param.number("dropout", "X",
                    "fraction of D's features dropped before its Dense layer")
            .require(a -> a >= 0 && a < 1, "in [0, 1)").byDefault("0.4");
    public static final Param<Double> D_LR = Param.number("d-lr", "X", "D's RMSprop learning rate")
            .require(TrainConfig::positive, "positive").byDefault("0.0008");
    public static final Param<Double> G_LR = Param.number("g-lr", "X", "G's RMSprop learning rate")
            .require(TrainConfig::positive, "positive").byDefault("0.0004")
            .inPreset("seed-plus", "0.0001").inPreset("small-plus", "0.0001");
    public static final Param<Double> RHO = Param.number("rho", "X", "RMSprop decay")
            .require(r -> r > 0 && r < 1, "in (0, 1)").byDefault("0.9");
    public static final Param<Double> EPSILON = Param.number("epsilon", "X", "RMSprop epsilon")
            .require(TrainConfig::positive, "positive").byDefault("1e-7");
    public static final Param<Double> CLIP = Param.number("clip", "X", "every gradient value is clipped to +-X")
            .require(TrainConfig::positive, "positive").byDefault("1.0");
    public static final Param<Integer> BATCH_SIZE = Param.integer("batch-size", "N",
                    "real images per iteration (D sees N fakes + N reals, G N fakes)")
            .require(TrainConfig::positive, "positive").byDefault("20");
    public static final Param<Double> LABEL_NOISE = Param.number("label-noise", "X", "D's labels get + X*U(0,1)")
            .require(TrainConfig::nonNegative, "non-negative").byDefault("0.05").step();
    public static final Param<Boolean> REUSE_FAKES = Param.bool("reuse-fakes",
                    "true: G's step trains on the D step's fakes, as PyTorch's DCGAN example\n"
                            + "does, saving one G forward pass per step (about a fifth of a step); false: fresh\n"
                            + "latents for G's step, as the book's loop")
            .byDefault("false").step();
    public static final Param<String> AUGMENT = new Param<>("augment", "POLICY",
            "DiffAugment (Zhao et al. 2020) of every image D sees, G's gradient going back\n"
                    + "through it: none (the book), or any of color, translation, cutout joined by\n"
                    + "commas, applied in that order (the paper's policy for CIFAR-10:\n"
                    + "color,translation,cutout; color hurt on the small preset, see docs/results.md)",
            DiffAugment::parsePolicy, v -> true, null, DiffAugment.NONE, Map.of(), false, true)
            .inPreset("seed-plus", "translation").inPreset("small-plus", "translation");
    public static final Param<Long> SEED = Param.longInteger("seed", "N",
            "the run's random seed: initial weights, latents, label noise, dropout, shuffling").byDefault("42");
    public static final Param<Integer> STEPS = Param.integer("steps", "N",
                    "total iterations of the run (a resumed run continues to this total); the seed\n"
                            + "preset's 10,000 take 7-14 h on 2 cores, the small preset's 1-2 h")
            .require(TrainConfig::positive, "positive").byDefault("10000").resumable();
    public static final Param<Integer> LOG_EVERY = Param.integer("log-every", "N",
                    "print progress and append to metrics.jsonl every N steps")
            .require(TrainConfig::positive, "positive").byDefault("10").resumable();
    public static final Param<Integer> SAMPLE_EVERY = Param.integer("sample-every", "N",
                    "write samples/step-NNNNNN.png every N steps")
            .require(TrainConfig::positive, "positive").byDefault("100").resumable();
    public static final Param<Integer> CHECKPOINT_EVERY = Param.integer("checkpoint-every", "N",
                    "write checkpoints/step-NNNNNN/ every N steps")
            .require(TrainConfig::positive, "positive").byDefault("100").resumable();
    public static final Param<Integer> KEEP_CHECKPOINTS = Param.integer("keep-checkpoints", "N",
                    "how many of the newest checkpoints to keep")
            .require(TrainConfig::positive, "positive").byDefault("3").resumable();
    public static final Param<Integer> THREADS = Param.integer("threads", "N",
                    "ND4J compute threads per JVM or Spark task (0: every core in a single JVM,\n"
                            + "spark.task.cpus in a Spark task); pin it for bit-exact reruns")
            .require(TrainConfig::nonNegative, "0 (one per core) or positive").byDefault("0").resumable().step();
    public static final Param<Integer> EVAL_EVERY = Param.integer("eval-every", "N",
                    "every N steps, the Sliced Wasserstein Distance of eval-images generated vs\n"
                            + "as many training images goes into metrics.jsonl (0: never)")
            .require(TrainConfig::nonNegative, "0 (never) or positive").byDefault("0").resumable();
    public static final Param<Integer> EVAL_IMAGES = Param.integer("eval-images", "N", "images per set for eval-every")
            .require(TrainConfig::positive, "positive").byDefault("500").resumable();
    public static final Param<Integer> WORKERS = Param.integer("workers", "N",
                    "with --master: Spark workers (data shards, tasks per round)")
            .require(TrainConfig::positive, "positive").byDefault("2");
    public static final Param<Integer> AVERAGING_FREQUENCY = Param.integer("averaging-frequency", "K",
                    "with --master: local steps per worker between averagings; --steps counts\n"
                            + "steps per worker, and an interval fires in the round that reaches or passes its\n"
                            + "multiple (k = 4, --log-every 10: logged at steps 12, 20, 32, 40, ...)")
            .require(TrainConfig::positive, "positive").byDefault("4");

    public static final Param<Double> EMA_KIMG = Param.number("ema-kimg", "K",
                    "half-life of the moving average of G's weights, in thousands of images (StyleGAN2-ADA's\n"
                            + "ema_kimg; ramped up early in the run); samples, eval-every, eval and generate use\n"
                            + "the average; 0: no average")
            .require(TrainConfig::nonNegative, "0 (none) or positive").byDefault("10");
    public static final Param<String> ON_DIVERGENCE = Param.choice("on-divergence", "WHAT",
                    "a non-finite loss or parameter: rollback (to the last checkpoint, on a new\n"
                            + "random stream) or stop (exit with an error)", List.of("rollback", "stop"))
            .byDefault("rollback").resumable();
    public static final Param<Integer> MAX_ROLLBACKS = Param.integer("max-rollbacks", "N",
                    "rollbacks a run may make before it gives up with an error")
            .require(TrainConfig::nonNegative, "0 or more").byDefault("3").resumable();

    /** Every key, in the order of {@code --help} and config.json. */
    public static final List<Param<?>> PARAMS = List.of(PRESET, DATA, CLASS, SPLIT, RESOLUTION, LATENT_DIM, G_DENSE_CHANNELS,
            G_FILTERS, D_FILTERS, LEAKY_ALPHA, DROPOUT, D_LR, G_LR, RHO, EPSILON, CLIP, BATCH_SIZE, LABEL_NOISE,
            REUSE_FAKES, AUGMENT, SEED, STEPS, LOG_EVERY, SAMPLE_EVERY, CHECKPOINT_EVERY, KEEP_CHECKPOINTS, THREADS,
            EVAL_EVERY, EVAL_IMAGES, EMA_KIMG, ON_DIVERGENCE, MAX_ROLLBACKS, WORKERS, AVERAGING_FREQUENCY);

    private final Map<String, Object> typed;
    private final ModelConfig model;
    private final OptimizerConfig optimizer;

    private TrainConfig(Map<String, Object> typed) {
        this.typed = typed;
        try {
            // resolution 0 is resolved against the data set by train; until then the model is the book's 32×32
            this.model = new ModelConfig(get(LATENT_DIM), get(G_DENSE_CHANNELS), get(G_FILTERS), get(D_FILTERS),
                    get(LEAKY_ALPHA), get(DROPOUT), get(RESOLUTION) == 0 ? Dcgan.SIDE : get(RESOLUTION));
            this.optimizer = new OptimizerConfig(get(D_LR), get(G_LR), get(RHO), get(EPSILON), get(CLIP));
        } catch (IllegalArgumentException e) { // the records check their own values too
            throw new BadInputException(e.getMessage(), e);
        }
    }

    /** The declaration named {@code name}, or a one-line error suggesting the nearest one. */
    public static Param<?> param(String name) {
        for (Param<?> p : PARAMS) if (p.name().equals(name)) return p;
        throw new BadInputException("unknown configuration key '" + name + "'"
                + Names.nearest(name, PARAMS.stream().map(Param::name).toList())
                .map(n -> " (did you mean '" + n + "'?)").orElse(""));
    }

    /** The defaults of a preset, every key present. */
    public static Map<String, String> presetDefaults(String preset) {
        PRESET.parse(preset);
        Map<String, String> v = new LinkedHashMap<>();
        for (Param<?> p : PARAMS) v.put(p.name(), p.defaultFor(preset));
        v.put(PRESET.name(), preset);
        return v;
    }

    /**
     * Resolves a configuration: the preset (from {@code overrides}, else "seed") gives every default, then each
     * layer of overrides replaces values in order. Unknown keys and invalid values are one-line errors.
     */
    @SafeVarargs
    public static TrainConfig resolve(Map<String, String>... overrides) {
        String preset = PRESET.defaultValue();
        for (Map<String, String> o : overrides) if (o.containsKey(PRESET.name())) preset = o.get(PRESET.name());
        Map<String, String> v = presetDefaults(preset);
        for (Map<String, String> o : overrides) {
            for (Map.Entry<String, String> e : o.entrySet()) v.put(param(e.getKey()).name(), e.getValue());
        }
        Map<String, Object> typed = new LinkedHashMap<>();
        for (Param<?> p : PARAMS) typed.put(p.name(), p.parse(v.get(p.name())));
        return new TrainConfig(typed);
    }

    /**
     * A typed builder starting from {@code preset}'s defaults, e.g.
     * {@code TrainConfig.preset("small").with(TrainConfig.STEPS, 2000).build()}; each value is checked by its key.
     */
    public static Builder preset(String preset) {
        return new Builder(Map.of(PRESET.name(), preset));
    }

    /** A builder starting from this configuration's values. */
    public Builder toBuilder() {
        return new Builder(values());
    }

    /** Typed values over a preset; {@link #build} validates them as the map of strings is. */
    public static final class Builder {
        private final Map<String, String> values;

        private Builder(Map<String, String> start) {
            PRESET.parse(start.get(PRESET.name()));
            this.values = new LinkedHashMap<>(start);
        }

        /** Sets {@code key}; an invalid value is the one-line error of the command line. */
        public <T> Builder with(Param<T> key, T value) {
            String text = key.format(value);
            key.parse(text);
            values.put(key.name(), text);
            return this;
        }

        public TrainConfig build() {
            return resolve(values);
        }
    }

    /** The value of {@code key}. */
    @SuppressWarnings("unchecked")
    public <T> T get(Param<T> key) {
        return (T) typed.get(key.name());
    }

    /** What the training step reads, as one value that travels to the Spark workers. */
    public StepSettings stepSettings() {
        Map<String, Object> step = new LinkedHashMap<>();
        for (Param<?> p : PARAMS) if (p.stepSetting()) step.put(p.name(), typed.get(p.name()));
        return new StepSettings(step);
    }

    public String preset() { return get(PRESET); }
    public ModelConfig model() { return model; }
    public OptimizerConfig optimizer() { return optimizer; }
    public int batchSize() { return get(BATCH_SIZE); }
    public double labelNoise() { return get(LABEL_NOISE); }
    public boolean reuseFakes() { return get(REUSE_FAKES); }
    public long seed() { return get(SEED); }
    public int steps() { return get(STEPS); }
    public int logEvery() { return get(LOG_EVERY); }
    public int sampleEvery() { return get(SAMPLE_EVERY); }
    public int checkpointEvery() { return get(CHECKPOINT_EVERY); }
    public int keepCheckpoints() { return get(KEEP_CHECKPOINTS); }
    public int threads() { return get(THREADS); }
    public int workers() { return get(WORKERS); }
    public int averagingFrequency() { return get(AVERAGING_FREQUENCY); }
    public int evalEvery() { return get(EVAL_EVERY); }
    public int evalImages() { return get(EVAL_IMAGES); }
    public String data() { return get(DATA); }
    public String className() { return get(CLASS); }
    public String split() { return get(SPLIT); }

    /** Every key with its value, in {@link #PARAMS} order: what config.json records and --config reads back. */
    public Map<String, String> values() {
        Map<String, String> v = new LinkedHashMap<>();
        for (Param<?> p : PARAMS) v.put(p.name(), p.format(typed.get(p.name())));
        return v;
    }

    /**
     * Keys whose values differ between this configuration and {@code other}, ignoring those a resumed run may
     * change ({@link Param#resumeMayChange()}).
     */
    public List<String> modelOrDataDifferences(TrainConfig other) {
        return PARAMS.stream().filter(p -> !p.resumeMayChange())
                .filter(p -> !typed.get(p.name()).equals(other.typed.get(p.name())))
                .map(p -> p.name() + " " + p.format(other.typed.get(p.name())) + " (checkpoint) vs "
                        + p.format(typed.get(p.name())))
                .toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainConfig c && typed.equals(c.typed);
    }

    @Override
    public int hashCode() {
        return typed.hashCode();
    }

    @Override
    public String toString() {
        return "TrainConfig" + values();
    }
}
