package org.sparkgan.train;

import org.sparkgan.io.RunKeys;

import java.util.LinkedHashMap;
import java.util.Map;

/** Phase times and throughput since the last log line: its metrics record and its progress line with the ETA. */
final class ProgressWindow {
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
