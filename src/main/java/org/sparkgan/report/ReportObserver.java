package org.sparkgan.report;

import org.sparkgan.io.RunFolder;
import org.sparkgan.train.RunObserver;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Keeps a run's report.html fresh at every checkpoint and reports the signals GAN users watch for as they appear. */
public final class ReportObserver implements RunObserver {
    private final RunFolder run;

    public ReportObserver(RunFolder run) {
        this.run = run;
    }

    @Override
    public List<String> warnings(List<Map<String, Object>> metrics) {
        return Signals.newWarnings(metrics);
    }

    @Override
    public void afterCheckpoint(long step) throws IOException {
        RunReport.write(run);
    }
}
