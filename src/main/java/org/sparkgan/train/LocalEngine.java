package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;
import java.util.Map;

/** The single-JVM engine: one {@link GanStep} per round on the whole data set. */
public final class LocalEngine implements TrainingEngine {
    private final TrainConfig config;
    private final RealImages data;
    private final MultiLayerNetwork generator;
    private final MultiLayerNetwork discriminator;
    private final GanStep step;
    private int rollbacks;

    public LocalEngine(TrainConfig config, RealImages data, TrainingState state) {
        this.config = config;
        this.data = data;
        this.generator = state.generator();
        this.discriminator = state.discriminator();
        this.step = new GanStep(generator, discriminator, config);
        this.rollbacks = state.rollbacks();
    }

    @Override
    public void restore(TrainingState state) {
        state.copyInto(generator, discriminator);
        rollbacks = state.rollbacks();
    }

    @Override
    public Map<String, Object> topology() {
        return Map.of(ENGINE, "single JVM");
    }

    @Override
    public int stepsPerRound() {
        return 1;
    }

    @Override
    public Round runRound(long lastStep) {
        long s = lastStep + 1;
        long t0 = System.nanoTime();
        GanStep.Result r = step.run(data.batch(s), Seeds.step(config.seed(), s, rollbacks));
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Round(r, List.of(r), seconds, seconds);
    }

    @Override
    public MultiLayerNetwork generator() {
        return generator;
    }

    @Override
    public MultiLayerNetwork discriminator() {
        return discriminator;
    }

    @Override
    public Map<String, Object> dataPosition(long step) {
        return Map.of("next_step", step + 1, "pass", data.pass(step + 1), "batch_in_pass", data.batchInPass(step + 1));
    }
}
