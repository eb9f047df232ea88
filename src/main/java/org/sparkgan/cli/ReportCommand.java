package org.sparkgan.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sparkgan.report.RunComparison;

import java.util.List;

/** {@code report}: one page comparing run folders; no Spark. */
final class ReportCommand implements Command {
    static final List<Option> OPTIONS = List.of(
            Option.values("runs", "URI", "the run folders to compare (local paths, file://, hdfs://), one colour\n"
                    + "each, in this order; space- or comma-separated. Required."),
            Option.value("output", "FILE", null, "the HTML page to write (local path, file://, hdfs://), e.g.\n"
                    + "runs/compare.html; an existing page is replaced in one rename. Required."));

    @Override
    public String name() {
        return "report";
    }

    @Override
    public String summary() {
        return "compare run folders on one page: SWD, losses and D accuracy overlaid, a table of the runs";
    }

    @Override
    public String description() {
        return """
                Reads each run folder's config.json, metrics.jsonl and samples/ and writes one HTML page (inline SVG,
                no script): SWD (each run's real-vs-real floor dashed), D and G loss and D's accuracies on real and
                generated images, one curve per run, each against images seen (step x batch size x workers: on Spark
                every worker trains a batch per step) and against wall time (elapsed_sec); and a table of the runs:
                step, images seen, wall time, s/step, SWD at the last evaluation, links to each run's report.html and
                newest sample grid. The links are relative where the runs lie in the page's folder (or below it), so
                the folder can be copied or served as a whole, and absolute otherwise. A path that is not a run folder
                is a one-line error, and nothing is written.""";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public void run(ParsedArgs args) throws Exception {
        args.required("runs");
        List<String> runs = args.list("runs");
        String output = args.required("output");
        Path written = RunComparison.write(runs, output, new Configuration());
        System.out.printf("report: compared %d run%s in %s%n", runs.size(), runs.size() == 1 ? "" : "s", written);
    }
}
