package org.sparkgan.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every random draw of a run derives from the run seed through explicit, stable keys (run seed → worker → step →
 * draw), so a run restarted from a checkpoint, or a Spark task run again, draws exactly what the uninterrupted run
 * would have drawn. {@link #scheme} writes the same derivations as data into every checkpoint.
 */
public final class Seeds {
    private Seeds() {}

    static final long GENERATOR_INIT = 0x6E4L;
    static final long DISCRIMINATOR_INIT = 0xD15CL;
    static final long FIXED_LATENTS = 0xF1DEDL;
    static final long WORKER = 0x3057L;
    static final long SHUFFLE = 0x5EED_DA7AL;
    static final long ROLLBACK = 0xB0BACL;

    /** The draws of one training step, each from its own seed under the step's seed. */
    public enum Draw {
        D_LATENTS(1), LABEL_NOISE(2), D_DROPOUT(3), G_LATENTS(4), G_DROPOUT(5), D_AUGMENT(6), G_AUGMENT(7);

        final long key;

        Draw(long key) {
            this.key = key;
        }
    }

    /** A well-mixed seed for {@code parts} under {@code seed} (SplitMix64 finaliser over each part). */
    public static long derive(long seed, long... parts) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (long p : parts) h = mix(h ^ mix(p + 0x632BE59BD9B4E019L));
        return h;
    }

    /**
     * The seed of Spark worker {@code w}: worker 0 uses the run seed itself, so one worker draws exactly what the
     * single-JVM trainer draws; the others get independent streams.
     */
    public static long worker(long seed, int w) {
        return w == 0 ? seed : derive(seed, WORKER, w);
    }

    /** The seed of step {@code step} (from 1) of a worker (the single-JVM trainer is worker 0). */
    public static long step(long workerSeed, long step) {
        return derive(workerSeed, step);
    }

    /** The seed of a step after {@code rollbacks} rollbacks: a stream of its own, so a retried step draws anew. */
    public static long step(long workerSeed, long step, int rollbacks) {
        return rollbacks == 0 ? step(workerSeed, step) : derive(workerSeed, step, ROLLBACK, rollbacks);
    }

    public static long draw(long stepSeed, Draw draw) {
        return derive(stepSeed, draw.key);
    }

    /** The seed of the permutation of pass {@code pass} (from 0) over a worker's images. */
    public static long shuffle(long workerSeed, long pass) {
        return derive(workerSeed, SHUFFLE, pass);
    }

    public static long generatorInit(long seed) {
        return derive(seed, GENERATOR_INIT);
    }

    public static long discriminatorInit(long seed) {
        return derive(seed, DISCRIMINATOR_INIT);
    }

    public static long fixedLatents(long seed) {
        return derive(seed, FIXED_LATENTS);
    }

    /**
     * The derivations above as data, for checkpoints: {@code seeds} maps each seed's name to {@code [parent, key…]},
     * meaning {@code derive(value of parent, key…)}, where a key is a number or one of the variables {@code w}
     * (worker), {@code step}, {@code pass} and {@code rollbacks} (the checkpoint's count); a map chooses by a
     * variable's value; {@code draws} says how each seed is used.
     */
    public static Map<String, Object> scheme(long seed) {
        Map<String, Object> seeds = new LinkedHashMap<>();
        seeds.put("generator_init", List.of("seed", GENERATOR_INIT));
        seeds.put("discriminator_init", List.of("seed", DISCRIMINATOR_INIT));
        seeds.put("fixed_latents", List.of("seed", FIXED_LATENTS));
        seeds.put("worker", Map.of("w = 0", "seed", "w > 0", List.of("seed", WORKER, "w")));
        seeds.put("shuffle", List.of("worker", SHUFFLE, "pass"));
        seeds.put("step", Map.of("rollbacks = 0", List.of("worker", "step"),
                "rollbacks > 0", List.of("worker", "step", ROLLBACK, "rollbacks")));
        for (Draw d : Draw.values()) seeds.put(d.name().toLowerCase(), List.of("step", d.key));

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("seed", seed);
        s.put("derive", "derive(x, k1..kn): h = mix(x ^ 0x9E3779B97F4A7C15); for each k: h = mix(h ^ mix(k + "
                + "0x632BE59BD9B4E019)); mix is SplitMix64's finaliser (shifts 30, 27, 31; multipliers "
                + "0xBF58476D1CE4E5B9, 0x94D049BB133111EB); all arithmetic on signed 64-bit integers");
        s.put("seeds", seeds);
        s.put("draws", "ND4J's generator is seeded with the named seed right before each draw: latents "
                + "randn(batch, latent-dim) from d_latents (D's fakes) and g_latents (G's step); label noise "
                + "rand(2*batch, 1) * label-noise from label_noise, fakes first; D's dropout masks from d_dropout before "
                + "its fit and g_dropout before G's pass through D; shuffle seeds java.util.Random for a Fisher-Yates "
                + "permutation of the worker's images, from the last index down; with --augment, java.util.Random from "
                + "d_augment (D's batch, fakes first) and g_augment (G's fakes), per op in policy order, image by image: "
                + "color nextFloat x3 (brightness - 0.5, x2, + 0.5), translation nextInt(2s+1) - s rows then columns, "
                + "cutout nextInt(size + 1 - side % 2) centre row then column");
        return s;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
