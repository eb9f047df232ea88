package org.sparkgan.train.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.cli.MainTest;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;
import org.sparkgan.testing.LocalYarn;
import org.sparkgan.testing.Processes;
import org.sparkgan.testing.TestData;
import org.sparkgan.train.Checkpoint;
import org.sparkgan.train.TrainerTest;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.sparkgan.testing.RunProgress.lastLoggedStep;
import static org.sparkgan.testing.RunProgress.newestCheckpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * submit-scripts/yarn.sh on a real YARN ({@link LocalYarn}: a ResourceManager and a NodeManager with its physical-memory
 * check on, and an HDFS): prep of record files uploaded to HDFS, train in cluster deploy mode with its run folder on
 * HDFS, eval and report reading the run folder back. One training run has an executor container and then the
 * ApplicationMaster (the driver) killed with SIGKILL; YARN replaces the executor, starts a second attempt, and
 * {@code --resume auto} continues from the newest checkpoint: the run ends with the metrics and networks of an
 * undisturbed run, to the bit. As Spark's own YARN suite does, the application is not the shaded jar: an empty jar
 * is submitted and the containers get this JVM's class path. Success is read from what the applications write
 * (a cluster-mode client can report success for a failed driver) and from the ResourceManager (RPC and REST).
 * Tagged "cluster": it starts other JVMs.
 */
@Tag("cluster")
class YarnTrainTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static YarnClient yarnClient;
    /** The small preset's shapes at 8 filters, two workers, a checkpoint every 4 steps. */
    static final List<String> TRAIN = List.of("--preset", "small", "--g-dense-channels", "8", "--g-filters", "8",
            "--d-filters", "8", "--batch-size", "8", "--threads", "1", "--workers", "2", "--averaging-frequency", "2",
            "--steps", "40", "--log-every", "2", "--sample-every", "20", "--checkpoint-every", "4",
            "--keep-checkpoints", "10");
    static final long LAST = 40;

    @TempDir
    static Path dir;
    static LocalYarn yarn;
    static Path appJar;
    static FileSystem hdfs;

    @BeforeAll
    static void cluster() throws Exception {
        yarn = LocalYarn.start(dir.resolve("cluster"), YarnTrainTest.class.getSimpleName(), 12288);
        hdfs = FileSystem.get(URI.create(yarn.hdfsUri()), new Configuration());
        yarnClient = YarnClient.createYarnClient();
        yarnClient.init(yarn.configuration());
        yarnClient.start();
        appJar = dir.resolve("empty-app.jar");
        try (OutputStream out = Files.newOutputStream(appJar); JarOutputStream jar = new JarOutputStream(out, new Manifest())) {
            jar.flush();
        }
    }

    @AfterAll
    static void stop() {
        if (yarnClient != null) yarnClient.stop();
        if (yarn != null) yarn.close();
    }

    @Test
    void prepTrainEvalReportAndAKilledDriverAndExecutorChangeNothing() throws Exception {
        String lake = yarn.hdfsUri() + "/lake/frogs";
        // the 1,000 test frogs under CIFAR-10's names for a training and a test batch: eval's floor needs both splits
        for (String batch : List.of("data_batch_1.bin", "test_batch.bin")) {
            hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(TestData.frogs("test").toString()),
                    new org.apache.hadoop.fs.Path("/raw/frogs/" + batch));
        }
        Application prep = submit("prep", "prep", "--input", yarn.hdfsUri() + "/raw/frogs", "--output", lake,
                "--classes", "frog");
        prep.assertSucceeded(1);
        for (String split : CifarParquet.SPLITS) {
            assertEquals(Optional.of(List.of("frog")), CifarParquet.classesOnDisk(hdfs, new org.apache.hadoop.fs.Path(lake), split));
        }

        String straight = yarn.hdfsUri() + "/runs/straight", disturbed = yarn.hdfsUri() + "/runs/disturbed";
        Application a = submit("straight", train(lake, straight));
        Application b = submit("disturbed", train(lake, disturbed));
        RunFolder disturbedRun = RunFolder.at(disturbed, new Configuration());

        // an executor of the first attempt killed mid-run: YARN gives the application a new container for it
        String appId = b.id();
        waitFor(() -> lastLoggedStep(disturbedRun) >= 4, "step 4 of the disturbed run", b);
        ProcessHandle executor = processes(appId, "CoarseGrainedExecutorBackend").get(0);
        Set<Long> before = pids(processes(appId, "CoarseGrainedExecutorBackend"));
        assertTrue(executor.destroyForcibly(), "SIGKILL to an executor");
        // replaced: a new container's executor registered with the driver, as Spark's event log records
        waitFor(() -> executorsAdded(appId + "_1") >= 3, "a replacement executor", b);
        assertTrue(processes(appId, "CoarseGrainedExecutorBackend").stream().anyMatch(p -> !before.contains(p.pid())));

        // then the driver, in the ApplicationMaster's JVM, once a checkpoint past the executor's loss is written
        waitFor(() -> newestCheckpoint(disturbedRun) >= 12, "checkpoint 12 of the disturbed run", b);
        assertTrue(newestCheckpoint(disturbedRun) < LAST, "killed before the end");
        ProcessHandle am = processes(appId, "org.apache.spark.deploy.yarn.ApplicationMaster").get(0);
        assertTrue(am.destroyForcibly(), "SIGKILL to the ApplicationMaster");

        a.assertSucceeded(1);
        b.assertSucceeded(2);
        assertTrue(b.driverStdout(2).contains("resuming from"), b.driverStdout(2));
        RunFolder straightRun = RunFolder.at(straight, new Configuration());
        // yarn.sh names OpenBLAS's kernels for the executors and the ApplicationMaster, which inherit no environment
        assertEquals(List.of("Haswell", "Haswell"),
                straightRun.readMetrics().get(0).get(RunKeys.TASK_OPENBLAS_CORETYPE));
        assertEquals("Haswell", ((Map<?, ?>) straightRun.readJson(RunFolder.CONFIG).get(RunKeys.PROVENANCE))
                .get(RunKeys.OPENBLAS_CORETYPE));
        TrainerTest.assertSameMetrics(straightRun.readMetrics(), disturbedRun.readMetrics());
        Checkpoint x = checkpoint(straightRun), y = checkpoint(disturbedRun);
        TrainerTest.assertSameState(x, y);
        assertNotNull(x.state().generatorEma(), "the small preset keeps G_ema");
        TrainerTest.assertSameNetwork(x.state().generatorEma(), y.state().generatorEma(), "G_ema");
        // Spark's event log of the first attempt records the lost executor
        assertTrue(eventLog(appId + "_1").contains("\"Event\":\"SparkListenerExecutorRemoved\""), "no executor removal logged");

        // the same run in local mode, in this JVM (whose OMP_NUM_THREADS is 2, the containers' 1): the same bits
        String local = dir.resolve("local").toString();
        List<String> localArgs = new ArrayList<>(List.of(train(lake, local)));
        localArgs.addAll(List.of("--master", "local[2]"));
        MainTest.Result r = MainTest.run(localArgs.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        RunFolder localRun = RunFolder.at(local, new Configuration());
        TrainerTest.assertSameMetrics(straightRun.readMetrics(), localRun.readMetrics());
        Checkpoint z = checkpoint(localRun);
        TrainerTest.assertSameState(x, z);
        TrainerTest.assertSameNetwork(x.state().generatorEma(), z.state().generatorEma(), "G_ema");

        // eval and report read the run folders back from HDFS
        Application eval = submit("eval", "eval", "--checkpoint", straight + "/checkpoints/" + RunFolder.stepName(LAST),
                "--reference", lake, "--images", "64", "--json");
        Application report = submit("report", "report", "--runs", straight, disturbed, "--output",
                yarn.hdfsUri() + "/runs/compare.html");
        eval.assertSucceeded(1);
        report.assertSucceeded(1);
        JsonNode swd = JSON.readTree(eval.driverStdout(1).lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertTrue(swd.toString().contains("swd"), swd.toString());
        assertTrue(hdfs.getFileStatus(new org.apache.hadoop.fs.Path("/runs/compare.html")).getLen() > 1000);
    }

    /** An application attempt's event log (Spark's event log folder on HDFS; a killed attempt's is in progress). */
    private static String eventLog(String name) throws IOException {
        for (org.apache.hadoop.fs.FileStatus f : hdfs.listStatus(new org.apache.hadoop.fs.Path("/spark-events"))) {
            if (f.getPath().getName().startsWith(name)) {
                try (var in = hdfs.open(f.getPath())) {
                    return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError("no event log " + name + " in /spark-events");
    }

    /** How many executors an attempt's event log records as added so far (0 before the log exists). */
    private static int executorsAdded(String attempt) {
        try {
            return eventLog(attempt).split("\"Event\":\"SparkListenerExecutorAdded\"", -1).length - 1;
        } catch (IOException | AssertionError notYet) {
            return 0;
        }
    }

    private static String[] train(String data, String output) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data, "--output", output));
        args.addAll(TRAIN);
        return args.toArray(String[]::new);
    }

    /**
     * yarn.sh with the stand-in spark-submit, the empty application jar and this JVM's class path in the containers;
     * memory for the 8-filter model (the NodeManager kills a container past heap + overhead).
     */
    private static Application submit(String name, String... args) throws IOException {
        String classPath = System.getProperty("java.class.path");
        List<String> cmd = new ArrayList<>(List.of("bash", "submit-scripts/yarn.sh"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().remove("MASTER");
        pb.environment().putAll(Map.of(
                "HADOOP_CONF_DIR", yarn.hadoopConfDir().toString(),
                "SPARKGAN_APP_JAR", appJar.toString(),
                "SPARKGAN_SUBMIT_OPTS", String.join(" ", "--name", name,
                        "--conf", "spark.yarn.jars=local:" + appJar,
                        "--conf", "spark.driver.extraClassPath=" + classPath,
                        "--conf", "spark.executor.extraClassPath=" + classPath,
                        // the test class path holds the mini cluster's AmIpFilter, built against its shaded
                        // servlet API, which the ApplicationMaster's web UI cannot load (yarn.sh's users get YARN's own)
                        "--conf", "spark.ui.enabled=false",
                        "--conf", "spark.eventLog.enabled=true",
                        "--conf", "spark.eventLog.dir=" + yarn.hdfsUri() + "/spark-events"),
                "DRIVER_MEMORY", "768m", "EXECUTOR_MEMORY", "768m", "JAVACPP_MAXBYTES", "512m",
                "DRIVER_MEMORY_OVERHEAD", "1g", "EXECUTOR_MEMORY_OVERHEAD", "1g"));
        hdfs.mkdirs(new org.apache.hadoop.fs.Path("/spark-events"));
        return new Application(name, pb.start());
    }

    /** One submitted application: its yarn.sh process and what the ResourceManager says of it. */
    record Application(String name, Process client) {
        /** Its id, from the ResourceManager's list of applications (the client's log is quiet). */
        String id() throws Exception {
            for (int i = 0; i < 600; i++) {
                for (ApplicationReport app : yarnClient.getApplications()) if (app.getName().equals(name)) return app.getApplicationId().toString();
                assertTrue(client.isAlive() || i == 0, name + " ended before YARN listed it: " + log());
                Thread.sleep(500);
            }
            throw new AssertionError(name + " never listed by the ResourceManager");
        }

        /**
         * The client returned 0, YARN says FINISHED and SUCCEEDED, after {@code attempts} ApplicationMasters: as the
         * ResourceManager's RPC reports them and as its REST API lists them.
         */
        void assertSucceeded(int attempts) throws Exception {
            String id = id();
            assertTrue(client.waitFor(15, TimeUnit.MINUTES), name + " did not finish: " + log());
            ApplicationReport app = yarnClient.getApplicationReport(ApplicationId.fromString(id));
            assertEquals(YarnApplicationState.FINISHED, app.getYarnApplicationState(), name + ": " + app.getDiagnostics() + "\n" + log());
            assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(), name + ": " + app.getDiagnostics() + "\n" + log());
            assertEquals(0, client.exitValue(), log());
            assertEquals(attempts, yarnClient.getApplicationAttempts(ApplicationId.fromString(id)).size(), name + "'s attempts");
            // a real ResourceManager answers {"appAttempts":{"appAttempt":[...]}}; the mini cluster's shaded Jersey
            // lacks its JAXB JSON provider and falls back to Jackson's field names, {"attempts":[...]}
            JsonNode rest = rest("/ws/v1/cluster/apps/" + id + "/appattempts");
            JsonNode list = rest.has("appAttempts") ? rest.path("appAttempts").path("appAttempt") : rest.path("attempts");
            assertEquals(attempts, list.size(), name + "'s attempts: " + rest);
        }

        /** What the driver printed in attempt N: the ApplicationMaster container's stdout in the NodeManager's logs. */
        String driverStdout(int attempt) throws Exception {
            String id = id(), container = String.format("container_%s_%02d_000001", id.substring("application_".length()), attempt);
            for (String logs : yarn.containerLogDirs()) {
                Path stdout = Path.of(logs.replaceFirst("^file:", "")).resolve(id).resolve(container).resolve("stdout");
                if (Files.exists(stdout)) return Files.readString(stdout);
            }
            throw new AssertionError("no stdout of " + container + " in " + List.of(yarn.containerLogDirs()));
        }

        String log() {
            try {
                return Files.readString(dir.resolve(name + ".log"));
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    private static JsonNode rest(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(yarn.resourceManagerWebAddress() + path))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** This application's JVMs of one kind (the container's java command names its application's id). */
    private static List<ProcessHandle> processes(String appId, String mainClass) {
        return Processes.matching(c -> c.contains(mainClass) && c.contains(appId) && c.contains("java"));
    }

    private static Set<Long> pids(List<ProcessHandle> ps) {
        Set<Long> s = new HashSet<>();
        ps.forEach(p -> s.add(p.pid()));
        return s;
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls until {@code condition} holds; fails when the application's client ends first or after 10 minutes. */
    private static void waitFor(Condition condition, String what, Application app) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!condition.holds()) {
            assertTrue(app.client().isAlive(), app.name() + " ended before " + what + ": " + app.log());
            assertTrue(System.nanoTime() < deadline, "no " + what + " in 10 minutes: " + app.log());
            Thread.sleep(100);
        }
    }

    private static Checkpoint checkpoint(RunFolder run) throws Exception {
        return Checkpoint.load(run.path("checkpoints/" + RunFolder.stepName(LAST)).toString(), new Configuration());
    }
}
