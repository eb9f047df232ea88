package org.sparkgan.train;

import org.sparkgan.BadInputException;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A round that diverged: what went wrong, and going back to the last good checkpoint (or stopping, as configured). */
final class Rollback {
    private final TrainConfig config;
    private final RunFolder run;
    private final RunStart start;
    private final PrintStream out;

    Rollback(TrainConfig config, RunFolder run, RunStart start, PrintStream out) {
        this.config = config;
        this.run = run;
        this.start = start;
        this.out = out;
    }

    /** Why a round's result must not be kept (a non-finite loss or parameter), or null when it may. */
    static String divergence(TrainingEngine.Round round, TrainingEngine engine) {
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
    TrainingState rollBack(long before, long failedStep, String why, int rollbacks,
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
                back = Checkpoint.load(start.checkpointUri(steps.get(i)), run.fileSystem().getConf()).state();
            } catch (BadInputException e) {
                out.println("train: WARNING skipping " + e.getMessage());
            }
        }
        if (back == null) back = start.initialState().state();
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
        out.println("train: WARNING " + line);
        return back;
    }
}
