package org.sparkgan.eval;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.io.RunKeys;
import org.sparkgan.train.RunObserver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Quality numbers during training: the pairwise diversity of every fixed-latent grid (a falling value signals mode
 * collapse), and every {@code evalEvery} steps the Sliced Wasserstein Distance of generated images (G_ema's when the
 * run keeps one, and then G's own beside it) against a fixed set of real ones (same latents and descriptor seed each
 * time, so values are comparable over the run), beside a real-vs-real floor: the same distance between that set and
 * as many other real images, computed once. Because SWD's per-set normalisation hides a global colour shift, every
 * grid's per-channel mean is recorded beside the real one.
 */
public final class TrainingMonitor implements RunObserver {
    private final INDArray reference;
    private final INDArray otherReals;
    private final int evalEvery;
    private final long seed;
    private final ColourStats realColours;
    private SlicedWasserstein.Described described; // the reference, described at the first evaluation
    private SlicedWasserstein.Result floor;

    /**
     * @param reference  real images (NCHW, [-1, 1]) the generated ones are compared with; their count is N
     * @param otherReals N other real images for the floor, or null for none
     * @param evalEvery  steps between SWD evaluations; 0 for none
     */
    public TrainingMonitor(INDArray reference, INDArray otherReals, int evalEvery, long seed) {
        this.reference = reference;
        this.otherReals = otherReals;
        this.evalEvery = evalEvery;
        this.seed = seed;
        this.realColours = ColourStats.of(reference);
    }

    @Override
    public Map<String, Object> afterRound(long before, long after, MultiLayerNetwork generator, MultiLayerNetwork ema) {
        if (evalEvery <= 0 || after / evalEvery == before / evalEvery) return Map.of();
        if (described == null) described = SlicedWasserstein.describe(reference, seed);
        int n = (int) reference.size(0);
        SlicedWasserstein.Result swd = distance(ema != null ? ema : generator, n);
        Map<String, Object> m = new LinkedHashMap<>();
        for (SlicedWasserstein.Level level : swd.levels()) m.put(RunKeys.SWD_LEVEL_PREFIX + level.resolution(), level.value());
        m.put(RunKeys.SWD_AVG, swd.average());
        // the average can trail or lead the G it follows; scoring both shows which, at twice the cost
        if (ema != null) m.put(RunKeys.SWD_G_AVG, distance(generator, n).average());
        m.put(RunKeys.SWD_IMAGES, n);
        if (otherReals != null) {
            if (floor == null) floor = SlicedWasserstein.distance(otherReals, described);
            m.put(RunKeys.SWD_FLOOR_AVG, floor.average());
        }
        return m;
    }

    private SlicedWasserstein.Result distance(MultiLayerNetwork generator, int n) {
        int latentDim = (int) generator.layerInputSize(0);
        INDArray generated = GeneratorSamples.generate(generator, GeneratorSamples.latents(seed, n, latentDim));
        return SlicedWasserstein.distance(generated, described);
    }

    @Override
    public Map<String, Object> afterSamples(long step, INDArray grid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(RunKeys.DIVERSITY, Diversity.meanPairwiseDistance(grid));
        ColourStats colours = ColourStats.of(grid);
        String[] channels = {"r", "g", "b"};
        for (int c = 0; c < channels.length; c++) {
            m.put(RunKeys.GRID_MEAN_PREFIX + channels[c], colours.mean().get(c));
            m.put(RunKeys.REAL_MEAN_PREFIX + channels[c], realColours.mean().get(c));
        }
        return m;
    }
}
