package org.sparkgan.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spark-submit commands of the cluster scripts, as --dry-run prints them (yarn.sh also runs for real: YarnTrainTest). */
class SubmitScriptsTest {
    record Run(int status, String output) {}

    static Run script(String name, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "submit-scripts/" + name));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("MASTER");
        pb.environment().remove("OPENBLAS_CORETYPE"); // the scripts' own default, whatever the build machine sets
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Run(p.waitFor(), out);
    }

    @Test
    void yarnDryRun() throws Exception {
        Run r = script("yarn.sh", Map.of("EXECUTOR_MEMORY", "7g"), "--dry-run", "train", "--data", "hdfs:///lake/c10",
                "--output", "hdfs:///runs/r1", "--workers", "4");
        assertEquals(0, r.status(), r.output());
        String c = r.output();
        for (String part : List.of("--master yarn", "--deploy-mode cluster", "--class org.sparkgan.cli.Main",
                "--executor-memory 7g", "--num-executors 2", "sparkgan-spark.jar train --data hdfs:///lake/c10",
                "--workers 4", "-Dorg.bytedeco.javacpp.maxbytes=3g", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "spark.executorEnv.OMP_NUM_THREADS=1", "spark.executorEnv.OMP_WAIT_POLICY=PASSIVE",
                "spark.yarn.appMasterEnv.OMP_WAIT_POLICY=PASSIVE", "spark.kryo.registrator=org.sparkgan.train.spark.KryoRegistration",
                "spark.yarn.maxAppAttempts=2", "--workers 4 --resume auto")) {
            assertTrue(c.contains(part), "missing " + part + " in " + c);
        }
        // the defaults file travels as --conf options, so that a cluster's own spark-defaults.conf still applies
        assertFalse(c.contains("--properties-file"), c);
        // the driver in the ApplicationMaster runs ND4J: its container has the module opens and the same overhead
        String driverOptions = c.substring(c.indexOf("spark.driver.extraJavaOptions="), c.indexOf(" --conf", c.indexOf("spark.driver.extraJavaOptions=")));
        assertTrue(driverOptions.contains("--add-opens=java.base/java.nio=ALL-UNNAMED") && driverOptions.contains("maxbytes=3g"), driverOptions);
    }

    /** Memory by the preset a command names, the environment winning over the settings file. */
    @Test
    void memoryFollowsThePreset() throws Exception {
        Map<String, List<String>> expected = Map.of(
                "small", List.of("--driver-memory 2g", "--executor-memory 2g", "spark.executor.memoryOverhead=1536m",
                        "spark.driver.memoryOverhead=1536m", "-Dorg.bytedeco.javacpp.maxbytes=1g"),
                "small-plus", List.of("--executor-memory 2g", "spark.executor.memoryOverhead=1536m"),
                "seed", List.of("--driver-memory 4g", "--executor-memory 4g", "spark.executor.memoryOverhead=3584m",
                        "spark.driver.memoryOverhead=3584m", "-Dorg.bytedeco.javacpp.maxbytes=3g"),
                "seed-plus", List.of("--executor-memory 4g", "spark.executor.memoryOverhead=3584m"));
        for (var e : expected.entrySet()) {
            String c = script("yarn.sh", Map.of(), "--dry-run", "train", "--preset", e.getKey(), "--data", "hdfs:///d",
                    "--output", "hdfs:///r").output();
            for (String part : e.getValue()) assertTrue(c.contains(part), e.getKey() + ": missing " + part + " in " + c);
        }
        String none = script("yarn.sh", Map.of(), "--dry-run", "train", "--data", "hdfs:///d").output();
        assertTrue(none.contains("--executor-memory 4g") && none.contains("maxbytes=3g"), "no preset: seed's, " + none);
        String env = script("yarn.sh", Map.of("EXECUTOR_MEMORY_OVERHEAD", "2g", "JAVACPP_MAXBYTES", "1500m"),
                "--dry-run", "train", "--preset", "small").output();
        assertTrue(env.contains("spark.executor.memoryOverhead=2g") && env.contains("maxbytes=1500m")
                && env.contains("--executor-memory 2g"), env);
    }

    /**
     * OpenBLAS's kernels are named for the executors and for a driver the cluster starts, Haswell's unless the
     * environment names others: left to detection, a YARN container (which does not inherit the submitting shell's
     * environment) and a local run computed different last bits on a CPU OpenBLAS 0.3.19 does not know.
     */
    @Test
    void everyJvmOfARunGetsTheSameOpenBlasKernels() throws Exception {
        String yarn = script("yarn.sh", Map.of(), "--dry-run", "train").output();
        for (String part : List.of("spark.executorEnv.OPENBLAS_CORETYPE=Haswell",
                "spark.yarn.appMasterEnv.OPENBLAS_CORETYPE=Haswell")) {
            assertTrue(yarn.contains(part), "missing " + part + " in " + yarn);
        }
        String k8s = script("k8s.sh", Map.of(), "--dry-run", "--master", "k8s://https://kube:6443", "train").output();
        for (String part : List.of("spark.executorEnv.OPENBLAS_CORETYPE=Haswell",
                "spark.kubernetes.driverEnv.OPENBLAS_CORETYPE=Haswell")) {
            assertTrue(k8s.contains(part), "missing " + part + " in " + k8s);
        }
        String given = script("standalone.sh", Map.of("OPENBLAS_CORETYPE", "SkylakeX"), "--dry-run", "--master",
                "spark://h:7077", "train").output();
        assertTrue(given.contains("spark.executorEnv.OPENBLAS_CORETYPE=SkylakeX"), given);
    }

    @Test
    void extraSubmitOptionsAndAGivenApplicationJar() throws Exception {
        String c = script("yarn.sh", Map.of("SPARKGAN_SUBMIT_OPTS", "--conf spark.eventLog.enabled=true --queue q1",
                "SPARKGAN_APP_JAR", "build/app.jar"), "--dry-run", "eval", "--checkpoint", "hdfs:///r").output();
        assertTrue(c.contains("--conf spark.eventLog.enabled=true --queue q1 build/app.jar eval --checkpoint hdfs:///r"), c);
    }

    @Test
    void kubernetesDryRun() throws Exception {
        Run r = script("k8s.sh", Map.of(), "--dry-run", "--master", "k8s://https://kube:6443", "train", "--steps", "10");
        assertEquals(0, r.status(), r.output());
        String c = r.output();
        for (String part : List.of("--master k8s://https://kube:6443", "--deploy-mode cluster",
                "spark.kubernetes.container.image=apache/spark:3.5", "spark.executor.instances=2",
                "spark.kubernetes.file.upload.path=", "spark.kubernetes.driverEnv.OMP_WAIT_POLICY=PASSIVE",
                "spark.driver.memoryOverhead=3584m", "train --steps 10 --resume auto")) {
            assertTrue(c.contains(part), "missing " + part + " in " + c);
        }
        Run explicit = script("k8s.sh", Map.of(), "--dry-run", "--master", "k8s://https://kube:6443", "train",
                "--overwrite");
        assertTrue(explicit.output().contains("train --overwrite") && !explicit.output().contains("--resume auto"),
                "an explicit start mode is kept: " + explicit.output());
    }

    @Test
    void localYarnWithoutACommandPrintsItsUsage() throws Exception {
        Run r = script("local-yarn.sh", Map.of());
        assertEquals(2, r.status(), r.output());
        for (String command : List.of("local-yarn.sh start", "local-yarn.sh status", "local-yarn.sh stop", "local-yarn.sh fs ARGS")) {
            assertTrue(r.output().contains(command), command + " in " + r.output());
        }
        assertTrue(r.output().lines().noneMatch(l -> l.startsWith("#") || l.contains("common.sh")),
                "no script lines in the usage: " + r.output());
    }

    @Test
    void demoHelpSaysHowToChangeTheMinutes() throws Exception {
        Run r = script("demo.sh", Map.of(), "--help");
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().startsWith("Usage: submit-scripts/demo.sh [--minutes N]"), r.output());
        assertTrue(r.output().contains("--minutes N     minutes of training (default: 10)"), r.output());
        for (String option : List.of("--archive FILE", "--output DIR", "--workers N")) {
            assertTrue(r.output().contains("  " + option), option + " in " + r.output());
        }
        assertTrue(r.output().lines().noneMatch(l -> l.startsWith("#") || l.contains("set -e")),
                "no script lines in the help: " + r.output());
    }

    @Test
    void demoRefusesABadOptionInOneLineBeforeDoingAnything() throws Exception {
        for (List<String> args : List.of(List.of("--minutes"), List.of("--minutes", "ten"), List.of("--minutes", "0"),
                List.of("--bogus"))) {
            Run r = script("demo.sh", Map.of(), args.toArray(String[]::new));
            assertEquals(2, r.status(), args + ": " + r.output());
            assertEquals(1, r.output().strip().lines().count(), r.output());
            assertTrue(r.output().startsWith("demo: "), r.output());
        }
    }

    @Test
    void theScriptsMavenWritesNoEscapeSequences() throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "source submit-scripts/common.sh && maven -o validate")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        assertFalse(output.contains("\u001b"), "escape sequences in: " + output.replace("\u001b", "ESC"));
    }

    @Test
    void masterFromTheEnvironmentAndRefusalWithoutOne() throws Exception {
        Run r = script("standalone.sh", Map.of("MASTER", "spark://10.0.0.1:7077"), "--dry-run", "prep", "--help");
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("--master spark://10.0.0.1:7077") && r.output().contains("--deploy-mode client"));
        Run none = script("standalone.sh", Map.of(), "--dry-run", "train");
        assertEquals(2, none.status());
        assertTrue(none.output().contains("no master"), none.output());
    }
}
