package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.io.RunKeys;
import org.sparkgan.BadInputException;
import org.sparkgan.io.ImageGrid;
import org.sparkgan.io.RunFolder;
import org.sparkgan.model.Dcgan;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
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
    private final INDArray realSamples;
    private final TrainingEngine.Factory engines;
    private final RunFolder run;
    private final Map<String, Object> provenance;
    private final PrintStream out;
    private final List<RunObserver> observers = new ArrayList<>();
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
        this.realSamples = realSamples;
        this.engines = engines;
        this.run = run;
        this.provenance = provenance;
        this.out = out;
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
        if (start == Start.AUTO) start = autoStart();
        Checkpoint state = start == Start.RESUME ? resumeState() : freshState(start);
        List<Map<String, Object>> metrics = new ArrayList<>(run.readMetrics());
        metrics.removeIf(m -> ((Number) m.get(RunKeys.STEP)).longValue() > state.step()); // cut back to the checkpoint

        long first = state.step() + 1;
        try (TrainingEngine engine = engines.create(state.state())) {
            if (start == Start.RESUME) {
                requireSameTopology(state, engine);
                recordResume();
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

    /**
     * --resume auto, for a driver the cluster may restart: continue from the newest loadable checkpoint, start anew
     * where there is none (a missing or empty folder, or a run that died before its first checkpoint), and refuse a
     * folder that is not a sparkgan run.
     */
    private Start autoStart() throws IOException {
        if (!run.hasContent()) return Start.NEW;
        if (!run.exists(RunFolder.CONFIG)) {
            throw new BadInputException(run.root() + ": not a sparkgan run folder (no " + RunFolder.CONFIG
                    + "); --resume auto continues a run or starts one in a new or empty folder");
        }
        if (!run.checkpointSteps().isEmpty()) return Start.RESUME;
        out.printf("train: %s has no checkpoint yet; starting the run again%n", run.root());
        return Start.OVERWRITE;
    }

    private Summary loop(TrainingEngine engine, Checkpoint state, List<Map<String, Object>> metrics, long first)
            throws IOException {
        int k = engine.stepsPerRound();
        out.printf("train: %s preset at %dx%d (G %,d + D %,d parameters), steps %d to %d (%d per round), batch %d, "
                        + "run folder %s%n", config.preset(), config.model().resolution(), config.model().resolution(),
                engine.generator().numParams(), engine.discriminator().numParams(), first, config.steps(), k,
                config.batchSize(), run.root());
        double elapsedBefore = state.elapsedSeconds();
        long sessionStart = System.nanoTime();
        Window window = new Window();
        long lastCheckpoint = state.step();
        long s = state.step();
        int rollbacks = state.state().rollbacks();
        MultiLayerNetwork ema = emaOf(state.state());
        while (s < config.steps() && !stopRequested) {
            long before = s;
            TrainingEngine.Round round = engine.runRound(s);
            s += k;
            String divergence = divergence(round, engine);
            if (divergence != null) {
                TrainingState back = rollBack(before, s, divergence, ++rollbacks, metrics);
                engine.restore(back);
                ema = emaOf(back);
                s = back.step();
                lastCheckpoint = s;
                window = new Window();
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
                window = new Window();
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

    /** Why a round's result must not be kept (a non-finite loss or parameter), or null when it may. */
    private static String divergence(TrainingEngine.Round round, TrainingEngine engine) {
        if (!Double.isFinite(round.mean().dLoss()) || !Double.isFinite(round.mean().gLoss())) {
            return String.format("non-finite loss (d_loss %s, g_loss %s)", round.mean().dLoss(), round.mean().gLoss());
        }
        // a sum is finite only when every term is: one pass over each network's parameters
        if (!Double.isFinite(engine.generator().params().sumNumber().doubleValue())) return "non-finite G parameters";
        if (!Double.isFinite(engine.discriminator().params().sumNumber().doubleValue())) return "non-finite D parameters";
        return null;
    }

    /**
     * Goes back to the newest checkpoint before {@code failedStep} (or the run's start) to continue on the next random
     * stream; the rollback is recorded in metrics.jsonl. Past --max-rollbacks, or with --on-divergence stop, the run
     * ends with a one-line error instead.
     */
    private TrainingState rollBack(long before, long failedStep, String why, int rollbacks,
                                   List<Map<String, Object>> metrics) throws IOException {
        String what = "diverged in the round to step " + failedStep + ": " + why;
        if (config.get(TrainConfig.ON_DIVERGENCE).equals("stop")) {
            throw new BadInputException(run.root() + ": " + what + " (--on-divergence stop; lower the learning rates "
                    + "or resume from the last checkpoint)");
        }
        if (rollbacks > config.get(TrainConfig.MAX_ROLLBACKS)) {
            throw new BadInputException(run.root() + ": " + what + "; gave up after " + (rollbacks - 1)
                    + " rollbacks (--max-rollbacks): lower the learning rates (d-lr, g-lr)");
        }
        TrainingState back = null;
        List<Long> steps = run.checkpointSteps();
        for (int i = steps.size() - 1; i >= 0 && back == null; i--) {
            if (steps.get(i) > before) continue;
            try {
                back = Checkpoint.load(checkpointUri(steps.get(i)), run.fileSystem().getConf()).state();
            } catch (BadInputException e) {
                out.println("train: WARNING skipping " + e.getMessage());
            }
        }
        if (back == null) back = initialState().state();
        back = new TrainingState(back.step(), back.generator(), back.discriminator(), rollbacks, back.generatorEma());
        long to = back.step();
        metrics.removeIf(m -> ((Number) m.get(RunKeys.STEP)).longValue() > to);
        String line = what + "; rolled back to step " + to + " (rollback " + rollbacks + " of at most "
                + config.get(TrainConfig.MAX_ROLLBACKS) + ", on random stream " + rollbacks + ")";
        Map<String, Object> record = new LinkedHashMap<>();
        record.put(RunKeys.STEP, to);
        record.put(RunKeys.ROLLBACK, Map.of("failed_step", failedStep, "to_step", to, "rollbacks", rollbacks, "reason", why));
        record.put(RunKeys.WARNINGS, List.of(line));
        metrics.add(record);
        run.writeMetrics(metrics);
        metricsOnDisk = metrics.size();
        out.println("train: WARNING " + line);
        return back;
    }

    private static boolean crossed(long before, long after, int every) {
        return after / every > before / every;
    }

    private Checkpoint freshState(Start start) throws IOException {
        if (run.hasContent()) {
            if (start != Start.OVERWRITE) {
                throw new BadInputException(run.root() + ": run folder exists (use --resume to continue it or "
                        + "--overwrite to start again)");
            }
            run.delete();
        }
        Map<String, Object> configJson = new LinkedHashMap<>();
        configJson.put("config", config.values());
        Map<String, Object> prov = new LinkedHashMap<>(provenance);
        prov.put(RunKeys.STARTED_AT, Instant.now().toString());
        configJson.put("provenance", prov);
        run.writeJson(RunFolder.CONFIG, configJson);
        run.write(RunFolder.SAMPLES + "/real.png", ImageGrid.png(realSamples, GRID));
        Checkpoint initial = initialState();
        return new Checkpoint(initial.state(), config, initial.fixedLatents(), 0, prov, Map.of());
    }

    /** Step 0 of the run: G, D and the grid's fixed latents, drawn from the run seed. */
    private Checkpoint initialState() {
        MultiLayerNetwork g = Dcgan.generator(config.model(), config.optimizer(), Seeds.generatorInit(config.seed()));
        MultiLayerNetwork d = Dcgan.discriminator(config.model(), config.optimizer(),
                Seeds.discriminatorInit(config.seed()));
        Nd4j.getRandom().setSeed(Seeds.fixedLatents(config.seed()));
        INDArray fixed = Nd4j.randn(DataType.FLOAT, GRID * GRID, config.model().latentDim());
        return new Checkpoint(new TrainingState(0, g, d), config, fixed, 0, provenance, Map.of());
    }

    private String checkpointUri(long step) {
        return run.path(RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(step)).toString();
    }

    /**
     * The newest checkpoint that loads: one cut short or corrupt (a missing file, a truncated zip) is skipped with a
     * warning naming it. Its configuration and data must match this run's.
     */
    private Checkpoint resumeState() throws IOException {
        List<Long> steps = run.checkpointSteps();
        List<String> skipped = new ArrayList<>();
        Checkpoint c = null;
        for (int i = steps.size() - 1; i >= 0 && c == null; i--) {
            try {
                c = Checkpoint.load(checkpointUri(steps.get(i)), run.fileSystem().getConf());
            } catch (BadInputException e) {
                skipped.add(e.getMessage());
                out.println("train: WARNING skipping " + e.getMessage());
            }
        }
        if (c == null) {
            throw new BadInputException(run.root() + ": nothing to resume (no complete checkpoint under "
                    + RunFolder.CHECKPOINTS + "/" + (skipped.isEmpty() ? "" : "; skipped " + String.join("; ", skipped))
                    + ")");
        }
        List<String> differences = config.modelOrDataDifferences(c.config());
        if (!differences.isEmpty()) {
            throw new BadInputException("cannot resume " + run.root() + " with a different model or data: "
                    + String.join("; ", differences) + " (only steps and intervals may change)");
        }
        for (String key : new String[]{RunKeys.DATA_URI, RunKeys.DATA_ROWS}) {
            Object was = c.provenance().get(key), now = provenance.get(key);
            if (was != null && now != null && !String.valueOf(was).equals(String.valueOf(now))) {
                throw new BadInputException("cannot resume " + run.root() + ": " + key + " was " + was + ", now " + now);
            }
        }
        out.printf("train: resuming from %s%n", checkpointUri(c.step()));
        return c;
    }

    /**
     * A run continues on the engine and topology it was trained with: another engine or number of workers would
     * change the data order and the random streams (and what --steps counts), so it is refused.
     */
    private void requireSameTopology(Checkpoint c, TrainingEngine engine) {
        Map<String, Object> was = c.topology(), now = engine.topology();
        if (!was.isEmpty() && !String.valueOf(was).equals(String.valueOf(now))) {
            throw new BadInputException("cannot resume " + run.root() + " on another topology: it was trained with "
                    + describe(was) + ", this run asks for " + describe(now) + " (start a new run to change it)");
        }
    }

    private static String describe(Map<String, Object> topology) {
        StringBuilder sb = new StringBuilder(String.valueOf(topology.get(TrainingEngine.ENGINE)));
        topology.forEach((k, v) -> {
            if (!k.equals(TrainingEngine.ENGINE)) sb.append(", ").append(k).append(' ').append(v);
        });
        return sb.toString();
    }

    /** config.json records the options now in force (steps and intervals may have changed). */
    private void recordResume() throws IOException {
        Map<String, Object> json = new LinkedHashMap<>(run.readJson(RunFolder.CONFIG));
        json.put("config", config.values());
        @SuppressWarnings("unchecked")
        Map<String, Object> prov = new LinkedHashMap<>((Map<String, Object>) json.getOrDefault("provenance", Map.of()));
        prov.put(RunKeys.RESUMED_AT, Instant.now().toString());
        json.put("provenance", prov);
        run.writeJson(RunFolder.CONFIG, json);
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

    /**
     * Writes a checkpoint and prunes the older ones: the newest keep-checkpoints interval checkpoints stay, and a stop
     * checkpoint (written off the interval by a stop request or the time limit) stays only while it is the newest, so
     * stopping and resuming never evicts the regular ones.
     */
    private void checkpoint(TrainingEngine engine, long step, int rollbacks, MultiLayerNetwork ema, INDArray fixed,
                            double elapsed, boolean stop) throws IOException {
        new Checkpoint(new TrainingState(step, engine.generator(), engine.discriminator(), rollbacks, ema), config,
                fixed, elapsed, provenance, engine.topology())
                .save(run, engine.dataPosition(step), stop);
        List<Long> regular = new ArrayList<>();
        for (long s : run.checkpointSteps()) {
            if (s == step) continue;
            if (Checkpoint.isStopCheckpoint(run, s)) run.deleteCheckpoint(s);
            else regular.add(s);
        }
        if (!stop) regular.add(step);
        for (int i = 0; i < regular.size() - config.keepCheckpoints(); i++) run.deleteCheckpoint(regular.get(i));
        for (RunObserver o : observers) o.afterCheckpoint(step);
    }

    /** Phase times and throughput since the last log line. */
    private static final class Window {
        int steps;
        double seconds, fake, dStep, gStep;

        double compute;

        long images;

        void add(TrainingEngine.Round round, int stepsInRound, int batch) {
            steps += stepsInRound;
            images += (long) stepsInRound * batch * round.perWorker().size();
            seconds += round.wallSeconds();
            compute += round.computeSeconds();
            GanStep.Result r = round.mean();
            fake += r.fakeSeconds() * stepsInRound;
            dStep += r.dSeconds() * stepsInRound;
            gStep += r.gSeconds() * stepsInRound;
        }

        Map<String, Object> record(long step, GanStep.Result r, double elapsed) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(RunKeys.STEP, step);
            m.put(RunKeys.D_LOSS, r.dLoss());
            m.put(RunKeys.G_LOSS, r.gLoss());
            m.put(RunKeys.D_ACC_REAL, r.dAccReal());
            m.put(RunKeys.D_ACC_FAKE, r.dAccFake());
            m.put(RunKeys.D_OUT_REAL, r.dOutReal());
            m.put(RunKeys.D_OUT_FAKE, r.dOutFake());
            m.put(RunKeys.IMAGES_PER_SEC, images / seconds); // real images, all workers together
            m.put(RunKeys.SEC_PER_STEP, seconds / steps);
            m.put(RunKeys.FAKE_SEC, fake / steps);
            m.put(RunKeys.D_STEP_SEC, dStep / steps);
            m.put(RunKeys.G_STEP_SEC, gStep / steps);
            m.put(RunKeys.OUTSIDE_COMPUTE_SHARE, seconds > 0 ? Math.max(0, 1 - compute / seconds) : 0.0);
            m.put(RunKeys.ELAPSED_SEC, elapsed);
            return m;
        }

        String progressLine(long step, long total, GanStep.Result r, double secondsToDeadline) {
            double perStep = seconds / steps;
            return String.format("step %d/%d  d_loss %.4f  g_loss %.4f  d_acc real %.2f fake %.2f  %.2f s/step  %.1f img/s  %s",
                    step, total, r.dLoss(), r.gLoss(), r.dAccReal(), r.dAccFake(), perStep, images / seconds,
                    eta(step, total, perStep, secondsToDeadline));
        }
    }

    /**
     * "ETA 4h48m" to the last step, or, when a time limit ({@code secondsToDeadline}, NaN for none) comes first,
     * "ETA 1m40s (time limit, at about step 96; all 10000 steps: 4h48m)".
     */
    static String eta(long step, long total, double secondsPerStep, double secondsToDeadline) {
        double toEnd = (total - step) * secondsPerStep;
        if (Double.isNaN(secondsToDeadline) || toEnd <= secondsToDeadline) return "ETA " + duration(toEnd);
        long stopStep = step + (long) (secondsToDeadline / secondsPerStep);
        return String.format("ETA %s (time limit, at about step %d; all %d steps: %s)", duration(secondsToDeadline),
                stopStep, total, duration(toEnd));
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format("%dm%02ds", s / 60, s % 60);
        return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
