package org.sparkgan.train;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.io.RunFolder;
import org.sparkgan.testing.RunProgress;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkgan.train.TrainerTest.assertSameState;

/**
 * A driver killed with SIGKILL (no checkpoint at exit), then started again with the same command and
 * {@code --resume auto}, as a cluster manager restarts a driver: it loses only the steps since its last checkpoint
 * and ends with the networks and losses of a run that was never killed. Tagged "cluster": it starts other JVMs.
 */
@Tag("cluster")
class DriverRestartTest {
    @TempDir
    Path dir;

    @Test
    void aKilledDriverRestartedWithResumeAutoEndsAsAStraightRun() throws Exception {
        String frogs = frogs();
        Path killed = dir.resolve("killed"), straight = dir.resolve("straight");

        Process first = train(frogs, killed, List.of());
        Path checkpoint = killed.resolve("checkpoints/step-000020/state.json");
        while (first.isAlive() && !Files.exists(checkpoint)) Thread.sleep(20);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no checkpoint at exit
        first.waitFor();
        RunFolder run = RunFolder.at(killed.toString(), new Configuration());
        long newest = run.checkpointSteps().get(run.checkpointSteps().size() - 1);
        assertTrue(newest < 200, "killed before the end, at checkpoint " + newest);

        Process restarted = train(frogs, killed, List.of());
        assertEquals(0, restarted.waitFor(), Files.readString(dir.resolve("killed.log")));
        assertTrue(Files.readString(dir.resolve("killed.log")).contains("resuming from"));
        assertEquals(0, train(frogs, straight, List.of()).waitFor(), Files.readString(dir.resolve("straight.log")));

        RunFolder a = RunFolder.at(straight.toString(), new Configuration());
        assertSameState(load(a), load(run));
        TrainerTest.assertSameMetrics(a.readMetrics(), run.readMetrics());
    }

    /**
     * SIGTERM to a driver training on Spark (Ctrl-C, a cluster manager's stop): the round in flight ends, a checkpoint
     * is written at it, and the resumed run ends as a straight one. Spark's own shutdown hook stops the context and
     * Hadoop's closes the file systems; when they ran beside the stop, the round's job was cancelled and the run
     * failed without its checkpoint.
     */
    @Test
    void aStoppedSparkDriverCheckpointsItsLastRoundAndResumesAsAStraightRun() throws Exception {
        String frogs = frogs();
        Path stopped = dir.resolve("stopped"), straight = dir.resolve("straight");
        List<String> spark = List.of("--master", "local[2]", "--workers", "2", "--averaging-frequency", "2");

        Process first = train(frogs, stopped, spark);
        RunFolder run = RunFolder.at(stopped.toString(), new Configuration());
        while (first.isAlive() && RunProgress.lastLoggedStep(run) < 25) Thread.sleep(20);
        first.destroy(); // SIGTERM
        first.waitFor();
        String log = Files.readString(dir.resolve("stopped.log"));
        Matcher stop = Pattern.compile("stopped at step (\\d+); checkpoint written").matcher(log);
        assertTrue(stop.find(), log);
        long stopStep = Long.parseLong(stop.group(1));
        assertTrue(stopStep < 200 && run.checkpointSteps().contains(stopStep), "checkpoint at the stop, step " + stopStep);

        assertEquals(0, train(frogs, stopped, spark).waitFor(), Files.readString(dir.resolve("stopped.log")));
        assertEquals(0, train(frogs, straight, spark).waitFor(), Files.readString(dir.resolve("straight.log")));
        RunFolder a = RunFolder.at(straight.toString(), new Configuration());
        assertSameState(load(a), load(run));
        // the stop logs one record more than the straight run, at its step
        TrainerTest.assertSameMetrics(withoutStep(a.readMetrics(), stopStep), withoutStep(run.readMetrics(), stopStep));
    }

    private static List<Map<String, Object>> withoutStep(List<Map<String, Object>> metrics, long step) {
        return metrics.stream().filter(m -> ((Number) m.get("step")).longValue() != step).toList();
    }

    private String frogs() throws Exception {
        String frogs = dir.resolve("frogs").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(TestData.frogs("test").toString(), frogs,
                CifarClasses.parseList("frog"), CifarParquet.SPLITS, "train", false));
        return frogs;
    }

    private static Checkpoint load(RunFolder run) throws Exception {
        return Checkpoint.load(run.path("checkpoints/step-000200").toString(), new Configuration());
    }

    /** The train command in a JVM of its own, with {@code --resume auto}; its output goes to NAME.log. */
    private Process train(String frogs, Path output, List<String> extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "@" + Path.of("conf/java17.args").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), "org.sparkgan.cli.Main",
                "train", "--data", frogs, "--output", output.toString(), "--resume", "auto",
                "--preset", "small", "--g-dense-channels", "8", "--g-filters", "8", "--d-filters", "8",
                "--batch-size", "8", "--threads", "2", "--steps", "200", "--log-every", "5",
                "--sample-every", "100", "--checkpoint-every", "20", "--keep-checkpoints", "20"));
        cmd.addAll(extra);
        Path log = dir.resolve(output.getFileName() + ".log");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }
}
