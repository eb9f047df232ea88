package org.sparkgan.data;

import org.sparkgan.BadInputException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input: a one-line message naming the problem, and the output path exactly as it was. */
class PrepBadInputTest {
    @TempDir
    Path dir;
    final SparkSession spark = TestSpark.session();

    /** The first {@code n} test frogs as a record file. */
    Path frogFile(String name, int n) throws Exception {
        byte[] all = Files.readAllBytes(TestData.frogs("test"));
        Path p = dir.resolve(name);
        Files.write(p, Arrays.copyOf(all, n * CifarFormat.RECORD_BYTES));
        return p;
    }

    PrepOptions options(Path input, Path output, boolean overwrite) {
        return new PrepOptions(input.toString(), output.toString(), CifarClasses.parseList("all"),
                CifarParquet.SPLITS, "train", overwrite);
    }

    static String failureMessage(Executable job) {
        Throwable t = assertThrows(Throwable.class, job);
        BadInputException bad = BadInputException.find(t);
        assertNotNull(bad, () -> "not reported as bad input: " + t);
        assertFalse(bad.getMessage().contains("\n"), "one line: " + bad.getMessage());
        return bad.getMessage();
    }

    void assertNothingLeft(Path output) throws Exception {
        assertFalse(Files.exists(output), output + " exists");
        try (var siblings = Files.list(output.getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith("." + output.getFileName())),
                    "staging folder left behind");
        }
    }

    @Test
    void sizeNotAMultipleOfTheRecord() throws Exception {
        Path bad = frogFile("odd.bin", 3);
        Files.write(bad, new byte[]{1, 2, 3, 4, 5}, java.nio.file.StandardOpenOption.APPEND);
        Path out = dir.resolve("out");
        String msg = failureMessage(() -> PrepJob.run(spark, options(bad, out, false)));
        assertTrue(msg.contains("odd.bin") && msg.contains("not a multiple of the 3073-byte"), msg);
        assertNothingLeft(out);
    }

    @Test
    void labelByteAboveNineNamesFileAndRecord() throws Exception {
        Path bad = frogFile("labels.bin", 5);
        byte[] bytes = Files.readAllBytes(bad);
        bytes[3 * CifarFormat.RECORD_BYTES] = 12;
        Files.write(bad, bytes);
        Path out = dir.resolve("out");
        String msg = failureMessage(() -> PrepJob.run(spark, options(bad, out, false)));
        assertTrue(msg.contains("labels.bin") && msg.contains("record 3 has label byte 12"), msg);
        assertNothingLeft(out);
    }

    @Test
    void archiveWithoutTheBatchesFolder() throws Exception {
        Path archive = dir.resolve("other.tar.gz");
        byte[] content = Files.readAllBytes(frogFile("f.bin", 2));
        try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(archive));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
            TarArchiveEntry e = new TarArchiveEntry("some-folder/data_batch_1.bin");
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        Path out = dir.resolve("out");
        String msg = failureMessage(() -> PrepJob.run(spark, options(archive, out, false)));
        assertTrue(msg.contains("other.tar.gz") && msg.contains("no cifar-10-batches-bin/"), msg);
        assertNothingLeft(out);
    }

    @Test
    void missingPath() throws Exception {
        Path out = dir.resolve("out");
        String msg = failureMessage(() -> PrepJob.run(spark, options(dir.resolve("nope.tar.gz"), out, false)));
        assertTrue(msg.contains("nope.tar.gz") && msg.contains("no such file"), msg);
        assertNothingLeft(out);
    }

    @Test
    void existingOutputWithoutOverwriteIsUntouched() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "previous");
        String msg = failureMessage(() -> PrepJob.run(spark, options(frogFile("f.bin", 2), out, false)));
        assertTrue(msg.contains("already exists") && msg.contains("--overwrite"), msg);
        assertEquals(List.of("keep.txt"), list(out));
    }

    @Test
    void unknownClassName() {
        String msg = failureMessage(() -> CifarClasses.parseList("frog,toad"));
        assertTrue(msg.contains("'toad'") && msg.contains("frog"), msg);
    }

    @Test
    void failedOverwriteKeepsThePreviousDataSet() throws Exception {
        Path out = dir.resolve("out");
        PrepJob.run(spark, options(frogFile("good.bin", 4), out, false));
        List<String> before = listRecursive(out);
        Path bad = frogFile("bad.bin", 4);
        byte[] bytes = Files.readAllBytes(bad);
        bytes[0] = (byte) 200;
        Files.write(bad, bytes);
        String msg = failureMessage(() -> PrepJob.run(spark, options(bad, out, true)));
        assertTrue(msg.contains("record 0 has label byte 200"), msg);
        assertEquals(before, listRecursive(out));
        assertEquals(4, CifarParquet.read(spark, out.toString(), null, null).count());
    }

    @Test
    void successfulOverwriteReplaces() throws Exception {
        Path out = dir.resolve("out");
        PrepJob.run(spark, options(frogFile("two.bin", 2), out, false));
        PrepJob.Summary s = PrepJob.run(spark, options(frogFile("seven.bin", 7), out, true));
        assertEquals(7, s.totalRows());
        assertEquals(7, CifarParquet.read(spark, out.toString(), null, null).count());
        try (var siblings = Files.list(dir)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(".out")));
        }
    }

    @Test
    void unofficialFileTakesSplitAndIdsFromOptions() throws Exception {
        Path out = dir.resolve("out");
        PrepJob.run(spark, new PrepOptions(frogFile("mine.bin", 3).toString(), out.toString(),
                CifarClasses.parseList("frog"), CifarParquet.SPLITS, "test", false));
        var rows = CifarParquet.read(spark, out.toString(), null, null).orderBy("id").collectAsList();
        assertEquals(List.of(0L, 1L, 2L), rows.stream().map(r -> r.getLong(0)).toList());
        assertTrue(rows.stream().allMatch(r -> r.getString(1).equals("test")));
    }

    static List<String> list(Path p) throws Exception {
        try (var s = Files.list(p)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }

    static List<String> listRecursive(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            return s.map(x -> p.relativize(x).toString()).sorted().toList();
        }
    }
}
