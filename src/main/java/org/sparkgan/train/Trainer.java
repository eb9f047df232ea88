package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.io.RunKeys;
import org.sparkgan.io.ImageGrid;
import org.sparkgan.io.RunFolder;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer: runs rounds of a {@link TrainingEngine} — one {@link GanStep} in this JVM, or k steps per worker and an
 * average on Spark — to the configured number of steps, and keeps the run folder up to date: metrics.jsonl, an 8×8
 * sample grid from a fixed latent batch, checkpoints. A run can be watched, stopped ({@link #requestStop} writes a
 * checkpoint first) and resumed exactly.
 */
public final class Trainer {
    /** Grids are 8×8 generator outputs of one fixed latent batch, comparable over the whole run. */
    public static final int GRID = 8;
    /** The name suffix of the raw G's grid beside G_ema's. */
    public static final String RAW_SUFFIX = "-raw";
    /** How the run folder is treated at start. */
    public enum Start { NEW, RESUME, OVERWRITE, AUTO }

    /** What the run did in this session. */
    public record Summary(long firstStep, long lastStep, double seconds, double secondsPerStep, boolean interrupted) {}

    private final TrainConfig config;
    private final TrainingEngine.Factory engines;
    private final RunFolder run;
    private final Map<String, Object> provenance;
    private final PrintStream out;
    private final List<RunObserver> observers = new ArrayList<>();
    private final RunStart starts;
    private final Rollback rollback;
    private volatile boolean stopRequested;
    private long deadlineNanos; // 0: no time limit
    private int metricsOnDisk; // how many of the run's records metrics.jsonl holds: the rest are appended

    /**
     * @param realSamples up to 64 real images for samples/real.png
     * @param engines     builds what advances the GAN (in this JVM or on Spark) from the starting state
     * @param provenance  what produced the run (versions, data set path and row count); recorded in config.json and
     *                    every checkpoint, and compared on resume
     */
    public Trainer(TrainConfig config, INDArray realSamples, TrainingEngine.Factory engines, RunFolder run,
                   Map<String, Object> provenance, PrintStream out) {
        this.config = config;
        this.engines = engines;
        this.run = run;
        this.provenance = provenance;
        this.out = out;
        this.starts = new RunStart(config, realSamples, run, provenance, out);
        this.rollback = new Rollback(config, run, starts, out);
    }

    /** The single-JVM trainer on {@code data}. */
    public static Trainer local(TrainConfig config, RealImages data, RunFolder run, Map<String, Object> provenance,
                                PrintStream out) {
        INDArray samples = data.all().get(NDArrayIndex.interval(0, Math.min(GRID * GRID, data.count())));
        return new Trainer(config, samples, state -> new LocalEngine(config, data, state), run, provenance, out);
    }

    /** Adds an observer of the run (metrics beyond the losses, warnings, reports). */
    public Trainer observe(RunObserver observer) {
        observers.add(observer);
        return this;
    }

    /** Asks a running {@link #train} to write a checkpoint and return after the current round. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Stops like {@link #requestStop} once {@code minutes} have passed from now; progress lines count down to it. */
    public Trainer timeLimit(double minutes) {
        deadlineNanos = System.nanoTime() + (long) (minutes * 60e9);
        return this;
    }

    private boolean pastDeadline() {
        return deadlineNanos != 0 && System.nanoTime() - deadlineNanos >= 0;
    }

    private double secondsToDeadline() {
        return deadlineNanos == 0 ? Double.NaN : Math.max(0, (deadlineNanos - System.nanoTime()) / 1e9);
    }

    public Summary train(Start start) throws IOException {
        ComputeThreads.pin(config.threads());
        run.removeTemporaries(); // a killed writer's
        if (start == Start.AUTO) start = starts.autoStart();
        Checkpoint state = start == Start.RESUME ? starts.resumeState() : starts.freshState(start);
        List<Map<String, Object>> metrics = new ArrayList<>(run.readMetrics());
        metrics.removeIf(m -> ((Number) m.get(RunKeys.STEP)).longValue() > state.step()); // cut back to the checkpoint

        long first = state.step() + 1;
        try (TrainingEngine engine = engines.create(state.state())) {
            if (start == Start.RESUME) {
                starts.requireSameTopology(state, engine);
                starts.recordResume();
                run.writeMetrics(metrics); // also drops a last line a kill cut short
            }
            metricsOnDisk = metrics.size();
            if (first > config.steps()) {
                out.printf("train: the run is already at step %d of %d; nothing to do%n", state.step(), config.steps());
                return new Summary(first, state.step(), 0, 0, false);
            }
            return loop(engine, state, metrics, first);
        }
    }

    private Summary loop(TrainingEngine engine, Checkpoint state, List<Map<String, Object>> metrics, long first)
            throws IOException {
        int k = engine.stepsPerRound(), workers = engine.workers();
        // on Spark, what the scaling tables (docs/scaling.md) are read by: W, k and the images of a round
        String schedule = workers == 1 && k == 1 ? String.format("steps %d to %d, batch %d", first, config.steps(),
                config.batchSize()) : String.format("steps %d to %d per worker, batch %d, W = %d workers averaging every"
                + " k = %d steps: %,d images per round", first, config.steps(), config.batchSize(),
                workers, k, workers * k * config.batchSize());
        out.printf("train: %s preset at %dx%d (G %,d + D %,d parameters), %s, run folder %s%n", config.preset(),
                config.model().resolution(), config.model().resolution(), engine.generator().numParams(),
                engine.discriminator().numParams(), schedule, run.root());
        double elapsedBefore = state.elapsedSeconds();
        long sessionStart = System.nanoTime();
        ProgressWindow window = new ProgressWindow();
        long lastCheckpoint = state.step();
        long s = state.step();
        int rollbacks = state.state().rollbacks();
        MultiLayerNetwork ema = emaOf(state.state());
        while (s < config.steps() && !stopRequested) {
            long before = s;
            TrainingEngine.Round round = engine.runRound(s);
            // the driver's own ops (G_ema, samples, SWD) at the run's count: in local mode the round's tasks pinned
            // the process-wide BLAS count to theirs
            ComputeThreads.pin(config.threads());
            s += k;
            String divergence = Rollback.divergence(round, engine);
            if (divergence != null) {
                TrainingState back = rollback.rollBack(before, s, divergence, ++rollbacks, metrics);
                metricsOnDisk = metrics.size();
                engine.restore(back);
                ema = emaOf(back);
                s = back.step();
                lastCheckpoint = s;
                window = new ProgressWindow();
                continue;
            }
            if (ema != null) {
                long perRound = (long) k * config.batchSize() * round.perWorker().size();
                long seen = s * config.batchSize() * round.perWorker().size();
                GeneratorEma.update(ema, engine.generator(),
                        GeneratorEma.beta(config.get(TrainConfig.EMA_KIMG) * 1000, seen, perRound));
            }
            if (pastDeadline()) stopRequested = true;
            window.add(round, k, config.batchSize());
            double elapsed = elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
            boolean last = s >= config.steps();
            Map<String, Object> extra = new LinkedHashMap<>();
            for (RunObserver o : observers) extra.putAll(o.afterRound(before, s, engine.generator(), ema));
            // an interval fires in the round that reaches or passes its multiple
            if (crossed(before, s, config.sampleEvery()) || last) {
                INDArray grid = writeSamples(engine.generator(), ema, state.fixedLatents(), s);
                for (RunObserver o : observers) extra.putAll(o.afterSamples(s, grid));
            }
            // a stop's round is recorded too: the record must reach the checkpoint's step
            if (crossed(before, s, config.logEvery()) || last || stopRequested || !extra.isEmpty()) {
                Map<String, Object> record = window.record(s, round.mean(), elapsed);
                record.putAll(engine.extraMetrics(round));
                record.putAll(extra);
                metrics.add(record);
                out.println(window.progressLine(s, config.steps(), round.mean(), secondsToDeadline()));
                List<String> warnings = new ArrayList<>();
                for (RunObserver o : observers) warnings.addAll(o.warnings(metrics));
                if (!warnings.isEmpty()) {
                    record.put(RunKeys.WARNINGS, warnings);
                    for (String w : warnings) out.println("train: WARNING " + w);
                }
                window = new ProgressWindow();
                run.appendMetrics(metrics.subList(metricsOnDisk, metrics.size()), metrics);
                metricsOnDisk = metrics.size();
                for (RunObserver o : observers) o.afterRecord(record);
            }
            if (crossed(before, s, config.checkpointEvery()) || last) {
                checkpoint(engine, s, rollbacks, ema, state.fixedLatents(), elapsed, false);
                lastCheckpoint = s;
            }
        }
        double seconds = (System.nanoTime() - sessionStart) / 1e9;
        if (stopRequested && lastCheckpoint != s) {
            writeSamples(engine.generator(), ema, state.fixedLatents(), s);
            checkpoint(engine, s, rollbacks, ema, state.fixedLatents(), elapsedBefore + seconds, true);
            out.printf("train: stopped at step %d; checkpoint written, continue with --resume%n", s);
        }
        long done = s - state.step();
        return new Summary(first, s, seconds, done == 0 ? 0 : seconds / done, stopRequested);
    }

    private static boolean crossed(long before, long after, int every) {
        return after / every > before / every;
    }

    /**
     * samples/step-NNNNNN.png: the fixed latents through G_ema when there is one (then G's own grid beside it, as
     * step-NNNNNN-raw.png), else through G; returns the first grid's images.
     */
    private INDArray writeSamples(MultiLayerNetwork generator, MultiLayerNetwork ema, INDArray fixedLatents, long step)
            throws IOException {
        INDArray grid = (ema != null ? ema : generator).output(fixedLatents, false);
        String name = RunFolder.SAMPLES + "/" + RunFolder.stepName(step);
        run.write(name + ".png", ImageGrid.png(grid, GRID));
        if (ema != null) run.write(name + RAW_SUFFIX + ".png", ImageGrid.png(generator.output(fixedLatents, false), GRID));
        return grid;
    }

    /** The G_ema training continues from: the state's, or a fresh copy of G where the state has none. */
    private MultiLayerNetwork emaOf(TrainingState state) {
        if (config.get(TrainConfig.EMA_KIMG) == 0) return null;
        return state.generatorEma() != null ? state.generatorEma() : GeneratorEma.startingAt(state.generator());
    }

    /** Writes a checkpoint and prunes the older ones ({@link CheckpointRetention}). */
    private void checkpoint(TrainingEngine engine, long step, int rollbacks, MultiLayerNetwork ema, INDArray fixed,
                            double elapsed, boolean stop) throws IOException {
        new Checkpoint(new TrainingState(step, engine.generator(), engine.discriminator(), rollbacks, ema), config,
                fixed, elapsed, provenance, engine.topology())
                .save(run, engine.dataPosition(step), stop);
        CheckpointRetention.prune(run, step, stop, config.keepCheckpoints());
        for (RunObserver o : observers) o.afterCheckpoint(step);
    }
}
