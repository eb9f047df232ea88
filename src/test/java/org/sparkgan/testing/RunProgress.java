package org.sparkgan.testing;

import org.sparkgan.io.RunFolder;

import java.util.List;
import java.util.Map;

/** How far a run that another process is writing has come, for tests that act at a step; 0 until it can be read. */
public final class RunProgress {
    private RunProgress() {}

    /** The step of the newest metrics record. */
    public static long lastLoggedStep(RunFolder run) {
        try {
            List<Map<String, Object>> m = run.readMetrics();
            return m.isEmpty() ? 0 : ((Number) m.get(m.size() - 1).get("step")).longValue();
        } catch (Exception notYet) {
            return 0;
        }
    }

    /** The step of the newest complete checkpoint. */
    public static long newestCheckpoint(RunFolder run) {
        try {
            List<Long> steps = run.checkpointSteps();
            return steps.isEmpty() ? 0 : steps.get(steps.size() - 1);
        } catch (Exception notYet) {
            return 0;
        }
    }
}
