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
import org.sparkgan.report.RunReport;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;

import javax.imageio.ImageIO;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkgan.train.TrainerTest.assertSameMetrics;
import static org.sparkgan.train.TrainerTest.assertSameState;

/**
 * The training JVM SIGKILLed at 30 pseudo-random moments spread over the run, a third of them inside a checkpoint
 * write and a third inside a metrics append (a test hook in the run folder pauses there), each kill followed by the
 * same command with {@code --resume auto}, which the next kill interrupts in turn, and the last runs to the end. After every kill each
 * file of the run folder reads back whole and the metrics on disk are a prefix of a straight run's; at the end the
 * metrics and the networks are the straight run's, bit for bit. Tagged "cluster": it starts other JVMs.
 */
@Tag("cluster")
class RandomKillsTest {
    static final int KILLS = 30;
    static final int STEPS = 240;
    @TempDir
    Path dir;

    @Test
    void thirtyKillsAtRandomMomentsEndAsAStraightRun() throws Exception {
        String frogs = dir.resolve("frogs").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(TestData.frogs("test").toString(), frogs,
                CifarClasses.parseList("frog"), CifarParquet.SPLITS, "train", false));
        Path straightDir = dir.resolve("straight"), killedDir = dir.resolve("killed");
        Child straight = Child.start(command(frogs, straightDir, null), dir.resolve("straight.log"));
        assertEquals(0, straight.process.waitFor(), straight.log());
        RunFolder expected = RunFolder.at(straightDir.toString(), new Configuration());
        List<Map<String, Object>> expectedMetrics = expected.readMetrics();

        // the kills' steps, spread over the run in order, so each resume gets a little further
        Random random = new Random(28);
        long[] targets = random.longs(KILLS, 1, STEPS - 5).sorted().toArray();
        RunFolder run = RunFolder.at(killedDir.toString(), new Configuration());
        List<String> table = new ArrayList<>();
        for (int kill = 1; kill <= KILLS; kill++) {
            String inside = switch (kill % 3) {
                case 1 -> RunFolder.CHECKPOINTS;
                case 2 -> RunFolder.METRICS;
                default -> null;
            };
            long target = targets[kill - 1];
            Child child = Child.start(command(frogs, killedDir, inside), dir.resolve("killed-" + kill + ".log"));
            String where;
            if (RunFolder.CHECKPOINTS.equals(inside)) {
                // the first checkpoint at or after the target, inside one of its first three files
                int nth = random.nextInt(3);
                child.awaitPause(p -> checkpointStep(p) >= target);
                for (int i = 0; i < nth; i++) child.awaitPause(p -> true);
                where = "inside the write of " + child.lastPause;
            } else if (RunFolder.METRICS.equals(inside)) {
                child.awaitStep(target);
                child.awaitPause(p -> true);
                where = "inside the write of " + child.lastPause + " after step " + child.lastStep;
            } else {
                child.awaitStep(target);
                long millis = random.nextInt(500);
                Thread.sleep(millis);
                where = millis + " ms after step " + child.lastStep;
            }
            assertTrue(child.process.isAlive(), "kill " + kill + " came after the run ended: " + child.log());
            child.process.destroyForcibly(); // SIGKILL: no shutdown hook runs
            child.process.waitFor();
            child.drained();

            List<Map<String, Object>> onDisk = readsBackWhole(run);
            assertSameMetrics(expectedMetrics.subList(0, onDisk.size()), onDisk);
            table.add(String.format("%2d  %-58s  %-30s  %-22s  %s", kill, where, child.resumedAs(),
                    run.checkpointSteps(), onDisk.isEmpty() ? "-" : onDisk.get(onDisk.size() - 1).get("step")));
        }
        Child last = Child.start(command(frogs, killedDir, null), dir.resolve("killed-last.log"));
        assertEquals(0, last.process.waitFor(), last.log());
        last.drained();
        table.add(String.format("end %s, ran to step %d", last.resumedAs(), STEPS));
        System.out.println("kill  where                                                       this JVM began as               checkpoints after       "
                + "metrics to step\n" + String.join("\n", table));

        readsBackWhole(run);
        assertSameMetrics(expectedMetrics, run.readMetrics());
        assertSameState(checkpoint(expected), checkpoint(run));
    }

    /**
     * Every file of the run folder reads back whole: config.json and each checkpoint load, each PNG decodes, the
     * report is a whole page. Returns the metrics (a last line cut short by the kill is dropped).
     */
    private static List<Map<String, Object>> readsBackWhole(RunFolder run) throws Exception {
        assertNotNull(run.readJson(RunFolder.CONFIG).get("config"));
        for (long step : run.checkpointSteps()) {
            Checkpoint.load(run.path(RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(step)).toString(),
                    new Configuration());
        }
        Path samples = Path.of(run.path(RunFolder.SAMPLES).toUri());
        if (Files.exists(samples)) {
            try (Stream<Path> pngs = Files.list(samples)) {
                for (Path png : pngs.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                    assertNotNull(ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(png))), png.toString());
                }
            }
        }
        if (run.exists(RunReport.FILE)) {
            assertTrue(new String(run.read(RunReport.FILE), StandardCharsets.UTF_8).strip().endsWith("</html>"));
        }
        return run.readMetrics();
    }

    /** The step of a checkpoint file's name (checkpoints/step-NNNNNN/...), or -1 for another file. */
    private static long checkpointStep(String file) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("step-(\\d+)/").matcher(file);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static Checkpoint checkpoint(RunFolder run) throws Exception {
        return Checkpoint.load(run.path(RunFolder.CHECKPOINTS + "/" + RunFolder.stepName(STEPS)).toString(),
                new Configuration());
    }

    /** The train command, in a JVM of its own, pausing inside the writes of files under {@code pauseIn} if given. */
    private static List<String> command(String frogs, Path output, String pauseIn) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "@" + Path.of("conf/java17.args").toAbsolutePath()));
        if (pauseIn != null) cmd.add("-Dsparkgan.test.pauseInWrite=" + pauseIn + ":300");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.sparkgan.cli.Main",
                "train", "--data", frogs, "--output", output.toString(), "--resume", "auto",
                "--preset", "small", "--g-dense-channels", "8", "--g-filters", "8", "--d-filters", "8",
                "--batch-size", "8", "--threads", "2", "--steps", Integer.toString(STEPS), "--log-every", "2",
                "--sample-every", "20", "--checkpoint-every", "10", "--keep-checkpoints", "3"));
        return cmd;
    }

    /** A training JVM whose output is read as it comes: the pauses it announced and the last step it printed. */
    private static final class Child {
        final Process process;
        final Path logFile;
        final List<String> lines = new ArrayList<>();
        final AtomicInteger pauses = new AtomicInteger();
        final Thread reader;
        volatile String lastPause = "";
        volatile long lastStep;

        private Child(Process process, Path logFile) {
            this.process = process;
            this.logFile = logFile;
            reader = new Thread(this::read);
            reader.start();
        }

        static Child start(List<String> command, Path log) throws Exception {
            return new Child(new ProcessBuilder(command).redirectErrorStream(true).start(), log);
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.startsWith("step ")) lastStep = Long.parseLong(line.substring(5, line.indexOf('/')));
                    int at = line.indexOf("paused inside the write of ");
                    if (at >= 0) {
                        lastPause = line.substring(at + "paused inside the write of ".length());
                        pauses.incrementAndGet();
                    }
                }
            } catch (java.io.IOException killed) {
                // the process is gone
            }
        }

        /** Waits for the next pause this JVM announces whose file passes {@code test}. */
        void awaitPause(java.util.function.Predicate<String> test) throws InterruptedException {
            int seen = pauses.get();
            while (process.isAlive()) {
                if (pauses.get() > seen) {
                    if (test.test(lastPause)) return;
                    seen = pauses.get();
                }
                Thread.sleep(2);
            }
        }

        /** Waits until this JVM has printed the progress line of {@code step} or a later one. */
        void awaitStep(long step) throws InterruptedException {
            while (process.isAlive() && lastStep < step) Thread.sleep(2);
        }

        void drained() throws Exception {
            reader.join(10_000);
            Files.write(logFile, log().getBytes(StandardCharsets.UTF_8));
        }

        /** How this JVM began: a new run, a run started again, or a resume from a checkpoint. */
        String resumedAs() {
            synchronized (lines) {
                for (String line : lines) {
                    int at = line.indexOf("resuming from ");
                    if (at >= 0) return "resumed from " + line.substring(line.lastIndexOf('/') + 1);
                    if (line.contains("has no checkpoint yet")) return "started again (no checkpoint yet)";
                }
            }
            return "started anew";
        }

        String log() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }
}
