package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.data.BadInputException;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The single-JVM trainer: runs {@link GanStep} for the configured number of steps and keeps the run folder
 * up to date — metrics.jsonl, an 8×8 sample grid from a fixed latent batch, checkpoints — so a run can be watched,
 * stopped (Ctrl-C or SIGTERM write a checkpoint first) and resumed bit-exactly.
 */
public final class Trainer {
    /** Grids are 8×8 generator outputs of one fixed latent batch, comparable over the whole run. */
    public static final int GRID = 8;
    /** How the run folder is treated at start. */
    public enum Start { NEW, RESUME, OVERWRITE }

    /** What the run did in this session. */
    public record Summary(long firstStep, long lastStep, double seconds, double secondsPerStep, boolean interrupted) {}

    private final TrainConfig config;
    private final RealImages data;
    private final RunFolder run;
    private final Map<String, Object> provenance;
    private final PrintStream out;
    private volatile boolean stopRequested;

    /**
     * @param provenance what produced the run (versions, data set path and row count); recorded in config.json and
     *                   every checkpoint, and compared on resume
     */
    public Trainer(TrainConfig config, RealImages data, RunFolder run, Map<String, Object> provenance, PrintStream out) {
        this.config = config;
        this.data = data;
        this.run = run;
        this.provenance = provenance;
        this.out = out;
    }

    /** Asks a running {@link #train} to write a checkpoint and return after the current step. */
    public void requestStop() {
        stopRequested = true;
    }

    public Summary train(Start start) throws IOException {
        if (config.threads() > 0) {
            Nd4j.getEnvironment().setMaxThreads(config.threads());
            Nd4j.getEnvironment().setMaxMasterThreads(config.threads());
        }
        Checkpoint state = start == Start.RESUME ? resumeState() : freshState(start);
        List<Map<String, Object>> metrics = new ArrayList<>(run.readMetrics());
        metrics.removeIf(m -> ((Number) m.get("step")).longValue() > state.step()); // cut back to the checkpoint
        if (start == Start.RESUME) run.writeMetrics(metrics);

        MultiLayerNetwork g = state.generator(), d = state.discriminator();
        GanStep step = new GanStep(g, d, config.model().latentDim(), config.labelNoise());
        long first = state.step() + 1;
        if (first > config.steps()) {
            out.printf("train: the run is already at step %d of %d; nothing to do%n", state.step(), config.steps());
            return new Summary(first, state.step(), 0, 0, false);
        }
        out.printf("train: %s preset, steps %d to %d, batch %d, %d training images, run folder %s%n",
                config.preset(), first, config.steps(), config.batchSize(), data.count(), run.root());

        double elapsedBefore = state.elapsedSeconds();
        long sessionStart = System.nanoTime();
        Window window = new Window();
        long lastCheckpoint = state.step();
        long s = state.step();
        while (s < config.steps() && !stopRequested) {
            s++;
            long t0 = System.nanoTime();
            GanStep.Result r = step.run(data.batch(s), Seeds.derive(config.seed(), s));
            window.add(r, (System.nanoTime() - t0) / 1e9);
            checkFinite(r, s);
            double elapsed = elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
            boolean last = s == config.steps();
            if (s % config.logEvery() == 0 || last) {
                metrics.add(window.record(s, r, elapsed, config.batchSize()));
                out.println(window.progressLine(s, config.steps(), r, config.batchSize()));
                window = new Window();
                run.writeMetrics(metrics);
            }
            if (s % config.sampleEvery() == 0 || last) writeSamples(g, state.fixedLatents(), s);
            if (s % config.checkpointEvery() == 0 || last) {
                checkpoint(s, g, d, state.fixedLatents(), elapsed);
                lastCheckpoint = s;
            }
        }
        double seconds = (System.nanoTime() - sessionStart) / 1e9;
        if (stopRequested && lastCheckpoint != s) {
            checkpoint(s, g, d, state.fixedLatents(), elapsedBefore + seconds);
            run.writeMetrics(metrics);
            out.printf("train: stopped at step %d; checkpoint written, continue with --resume%n", s);
        }
        long done = s - state.step();
        return new Summary(first, s, seconds, done == 0 ? 0 : seconds / done, stopRequested);
    }

    /**
     * Runs {@link #train} with Ctrl-C / SIGTERM turned into a checkpoint and a clean stop: the JVM's shutdown waits
     * (up to ten minutes) for the current step and the checkpoint.
     */
    public Summary trainWithSignalHandling(Start start) throws IOException {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            requestStop();
            try {
                finished.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "sparkgan-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return train(start);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the latch is down
            }
        }
    }

    private Checkpoint freshState(Start start) throws IOException {
        if (run.hasContent()) {
            if (start != Start.OVERWRITE) {
                throw new BadInputException(run.root() + ": run folder exists (use --resume to continue it or "
                        + "--overwrite to start again)");
            }
            run.delete();
        }
        MultiLayerNetwork g = Dcgan.generator(config.model(), config.optimizer(), Seeds.derive(config.seed(), 0x6E4L));
        MultiLayerNetwork d = Dcgan.discriminator(config.model(), config.optimizer(), Seeds.derive(config.seed(), 0xD15CL));
        Nd4j.getRandom().setSeed(Seeds.derive(config.seed(), 0xF1DEDL));
        INDArray fixed = Nd4j.randn(DataType.FLOAT, GRID * GRID, config.model().latentDim());

        Map<String, Object> configJson = new LinkedHashMap<>();
        configJson.put("config", config.values());
        Map<String, Object> prov = new LinkedHashMap<>(provenance);
        prov.put("started_at", Instant.now().toString());
        configJson.put("provenance", prov);
        run.writeJson(RunFolder.CONFIG, configJson);
        long n = Math.min(GRID * GRID, data.count());
        run.write(RunFolder.SAMPLES + "/real.png",
                ImageGrid.png(data.all().get(NDArrayIndex.interval(0, n)), GRID));
        return new Checkpoint(0, config, g, d, fixed, 0, prov);
    }

    private Checkpoint resumeState() throws IOException {
        List<Long> steps = run.checkpointSteps();
        if (steps.isEmpty()) {
            throw new BadInputException(run.root() + ": nothing to resume (no complete checkpoint under "
                    + RunFolder.CHECKPOINTS + "/)");
        }
        String uri = run.path(RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(steps.get(steps.size() - 1))).toString();
        Checkpoint c = Checkpoint.load(uri, run.fileSystem().getConf());
        List<String> differences = config.modelOrDataDifferences(c.config());
        if (!differences.isEmpty()) {
            throw new BadInputException("cannot resume " + run.root() + " with a different model or data: "
                    + String.join("; ", differences) + " (only steps and intervals may change)");
        }
        for (String key : new String[]{"data_uri", "data_rows"}) {
            Object was = c.provenance().get(key), now = provenance.get(key);
            if (was != null && now != null && !String.valueOf(was).equals(String.valueOf(now))) {
                throw new BadInputException("cannot resume " + run.root() + ": " + key + " was " + was + ", now " + now);
            }
        }
        out.printf("train: resuming from %s%n", uri);
        return c;
    }

    private void writeSamples(MultiLayerNetwork g, INDArray fixedLatents, long step) throws IOException {
        run.write(RunFolder.SAMPLES + "/" + RunFolder.stepName(step) + ".png", ImageGrid.png(g.output(fixedLatents, false), GRID));
    }

    private void checkpoint(long step, MultiLayerNetwork g, MultiLayerNetwork d, INDArray fixed, double elapsed)
            throws IOException {
        new Checkpoint(step, config, g, d, fixed, elapsed, provenance)
                .save(run, data.pass(step + 1), data.batchInPass(step + 1));
        run.pruneCheckpoints(config.keepCheckpoints());
    }

    private void checkFinite(GanStep.Result r, long step) {
        if (!Double.isFinite(r.dLoss()) || !Double.isFinite(r.gLoss())) {
            out.printf("train: WARNING non-finite loss at step %d (d_loss %s, g_loss %s): training has diverged; "
                    + "lower the learning rates or resume from an earlier checkpoint%n", step, r.dLoss(), r.gLoss());
        }
    }

    /** Phase times and throughput since the last log line. */
    private static final class Window {
        int steps;
        double seconds, fake, dStep, gStep;

        void add(GanStep.Result r, double stepSeconds) {
            steps++;
            seconds += stepSeconds;
            fake += r.fakeSeconds();
            dStep += r.dSeconds();
            gStep += r.gSeconds();
        }

        Map<String, Object> record(long step, GanStep.Result r, double elapsed, int batch) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step);
            m.put("d_loss", r.dLoss());
            m.put("g_loss", r.gLoss());
            m.put("d_acc_real", r.dAccReal());
            m.put("d_acc_fake", r.dAccFake());
            m.put("images_per_sec", steps * batch / seconds);
            m.put("sec_per_step", seconds / steps);
            m.put("fake_sec", fake / steps);
            m.put("d_step_sec", dStep / steps);
            m.put("g_step_sec", gStep / steps);
            m.put("elapsed_sec", elapsed);
            return m;
        }

        String progressLine(long step, long total, GanStep.Result r, int batch) {
            double perStep = seconds / steps;
            return String.format("step %d/%d  d_loss %.4f  g_loss %.4f  d_acc real %.2f fake %.2f  %.2f s/step  %.1f img/s  ETA %s",
                    step, total, r.dLoss(), r.gLoss(), r.dAccReal(), r.dAccFake(), perStep, batch / perStep,
                    duration((total - step) * perStep));
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format("%dm%02ds", s / 60, s % 60);
        return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
