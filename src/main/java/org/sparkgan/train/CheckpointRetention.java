package org.sparkgan.train;

import org.sparkgan.io.RunFolder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which checkpoints a run keeps: the newest keep-checkpoints interval checkpoints, and a stop checkpoint (written off
 * the interval by a stop request or the time limit) only while it is the newest, so stopping and resuming never
 * evicts the regular ones.
 */
final class CheckpointRetention {
    private CheckpointRetention() {}

    /** Prunes the run's checkpoints once checkpoint {@code step} (a stop checkpoint when {@code stop}) is written. */
    static void prune(RunFolder run, long step, boolean stop, int keep) throws IOException {
        List<Long> regular = new ArrayList<>();
        for (long s : run.checkpointSteps()) {
            if (s == step) continue;
            if (Checkpoint.isStopCheckpoint(run, s)) run.deleteCheckpoint(s);
            else regular.add(s);
        }
        if (!stop) regular.add(step);
        for (int i = 0; i < regular.size() - keep; i++) run.deleteCheckpoint(regular.get(i));
    }
}
