package org.sparkgan.io;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkgan.testing.MiniHdfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run folder's crash safety, on a local disk and on a real HDFS. */
class RunFolderTest {
    @TempDir
    static Path dir;
    static MiniHdfs hdfs;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = MiniHdfs.start(dir.resolve("hdfs"));
    }

    @AfterAll
    static void stopHdfs() {
        hdfs.close();
    }

    private static RunFolder folder(String where, String name) throws IOException {
        if (!where.equals("hdfs")) return RunFolder.at(dir.resolve(name).toString(), new Configuration());
        Configuration conf = new Configuration();
        conf.setInt("dfs.replication", 1); // the cluster's one DataNode: appends need a full pipeline
        return RunFolder.at(hdfs.uri() + "/runs/" + name, conf);
    }

    /** A reader polling a file that is replaced over and over always finds it, whole: old or new, never missing. */
    @ParameterizedTest
    @ValueSource(strings = {"local", "hdfs"})
    void aReplacedFileIsAlwaysThereAndWhole(String where) throws Exception {
        RunFolder run = folder(where, "replace");
        run.write(RunFolder.CONFIG, version(0));
        AtomicBoolean writing = new AtomicBoolean(true);
        List<String> seen = new ArrayList<>();
        Thread reader = new Thread(() -> {
            while (writing.get()) {
                try {
                    String text = new String(run.read(RunFolder.CONFIG), StandardCharsets.UTF_8);
                    if (!text.matches("version \\d+ " + "x".repeat(4096))) seen.add("partial: " + text.length());
                } catch (IOException e) {
                    seen.add(e.toString());
                }
            }
        });
        reader.start();
        int versions = where.equals("hdfs") ? 50 : 100;
        for (int i = 1; i <= versions; i++) run.write(RunFolder.CONFIG, version(i));
        writing.set(false);
        reader.join();
        assertEquals(List.of(), seen);
        assertTrue(new String(run.read(RunFolder.CONFIG), StandardCharsets.UTF_8).startsWith("version " + versions + " "));
    }

    private static byte[] version(int i) {
        return ("version " + i + " " + "x".repeat(4096)).getBytes(StandardCharsets.UTF_8);
    }

    /** metrics.jsonl grows by appends, not by rewriting what it holds. */
    @ParameterizedTest
    @ValueSource(strings = {"local", "hdfs"})
    void metricsAreAppended(String where) throws Exception {
        RunFolder run = folder(where, "append");
        List<Map<String, Object>> all = new ArrayList<>();
        for (int step = 1; step <= 3; step++) {
            List<Map<String, Object>> added = List.of(Map.of("step", step, "d_loss", step / 10.0));
            all.addAll(added);
            run.appendMetrics(added, all);
        }
        assertEquals(all, run.readMetrics());
        if (where.equals("local")) {
            Path file = Path.of(run.path(RunFolder.METRICS).toUri());
            Object inode = Files.readAttributes(file, "unix:ino").get("ino");
            all.add(Map.of("step", 4, "d_loss", 0.4));
            run.appendMetrics(all.subList(3, 4), all);
            assertEquals(inode, Files.readAttributes(file, "unix:ino").get("ino"), "the same file, appended to");
            assertEquals(all, run.readMetrics());
        }
    }

    /** A kill inside an append leaves a last line cut short: it is dropped when read, the records before it kept. */
    @ParameterizedTest
    @ValueSource(strings = {"local", "hdfs"})
    void aTornLastLineIsDropped(String where) throws Exception {
        RunFolder run = folder(where, "torn");
        List<Map<String, Object>> whole = List.of(Map.of("step", 1), Map.of("step", 2));
        run.writeMetrics(whole);
        byte[] bytes = run.read(RunFolder.METRICS);
        String cut = new String(bytes, StandardCharsets.UTF_8) + "{\"step\":3,\"d_lo";
        run.write(RunFolder.METRICS, cut.getBytes(StandardCharsets.UTF_8));
        assertEquals(whole, run.readMetrics());
    }

    /** A folder holding only a killed writer's temporaries counts as empty, and they are removed on request. */
    @ParameterizedTest
    @ValueSource(strings = {"local", "hdfs"})
    void temporariesOfAKilledWriterAreNotContent(String where) throws Exception {
        RunFolder run = folder(where, "temporaries");
        var fs = run.fileSystem();
        fs.create(run.path(".config.json.tmp-2")).close();
        assertFalse(run.hasContent(), "killed inside the first write: a new run may start there");
        run.write(RunFolder.CONFIG, version(1));
        fs.mkdirs(run.path(RunFolder.CHECKPOINTS + "/.step-000004.tmp-1"));
        assertTrue(run.hasContent());
        run.removeTemporaries();
        assertFalse(fs.exists(run.path(".config.json.tmp-2")));
        assertFalse(fs.exists(run.path(RunFolder.CHECKPOINTS + "/.step-000004.tmp-1")));
        assertTrue(run.exists(RunFolder.CONFIG));
    }

    /** A checkpoint folder of a step that exists already is replaced whole, and nothing is left beside it. */
    @ParameterizedTest
    @ValueSource(strings = {"local", "hdfs"})
    void aCheckpointOfTheSameStepIsReplaced(String where) throws Exception {
        RunFolder run = folder(where, "checkpoint");
        for (String content : List.of("old", "new")) {
            run.writeCheckpoint(4, files -> {
                try (var out = files.create("state.json")) {
                    out.write(content.getBytes(StandardCharsets.UTF_8));
                }
            });
        }
        assertEquals("new", new String(run.read("checkpoints/step-000004/state.json"), StandardCharsets.UTF_8));
        assertEquals(1, run.fileSystem().listStatus(run.path(RunFolder.CHECKPOINTS)).length);
        assertNotEquals(List.of(), run.checkpointSteps());
    }
}
