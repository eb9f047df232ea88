package org.sparkgan.cli;

import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarFormat;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.eval.EvalFixtures;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A path of the wrong kind (the archive where a data set is expected, a data set where a checkpoint is, ...) is
 * one line naming the path and what it is, exit 2, through the real commands.
 */
class WrongKindOfInputTest {
    @TempDir
    static Path dir;
    static String frogs, run, checkpoint, recordFolder, emptyFolder, otherTable;

    @BeforeAll
    static void prepare() throws Exception {
        frogs = dir.resolve("frogs").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(TestData.frogs("test").toString(), frogs,
                CifarClasses.parseList("frog"), CifarParquet.SPLITS, "train", false));
        checkpoint = EvalFixtures.tinyCheckpoint(dir);
        run = dir.resolve("run").toString();
        Path records = Files.createDirectories(dir.resolve("records"));
        byte[] frogBytes = Files.readAllBytes(TestData.frogs("test"));
        Files.write(records.resolve("frogs.bin"), Arrays.copyOf(frogBytes, 4 * CifarFormat.RECORD_BYTES));
        recordFolder = records.toString();
        emptyFolder = Files.createDirectories(dir.resolve("empty")).toString();
        otherTable = dir.resolve("other-table").toString();
        SparkSession spark = TestSpark.session();
        spark.range(5).withColumnRenamed("id", "step").write().mode(SaveMode.Overwrite).parquet(otherTable);
    }

    static MainTest.Result train(String data) {
        String output = dir.resolve("refused-run").toString();
        MainTest.Result r = MainTest.run("train", "--data", data, "--output", output, "--preset", "small",
                "--g-dense-channels", "8", "--g-filters", "8", "--d-filters", "8", "--batch-size", "8",
                "--threads", "2", "--steps", "1");
        assertTrue(Files.notExists(Path.of(output)), "a refused train leaves no run folder");
        return r;
    }

    static MainTest.Result eval(String checkpointUri, String reference) {
        return MainTest.run("eval", "--checkpoint", checkpointUri, "--reference", reference, "--images", "10");
    }

    static MainTest.Result generate(String checkpointUri) {
        String output = dir.resolve("refused-images").toString();
        MainTest.Result r = MainTest.run("generate", "--checkpoint", checkpointUri, "--output", output);
        assertTrue(Files.notExists(Path.of(output)), "a refused generate writes nothing");
        return r;
    }

    /** prep refuses it and leaves neither the output nor a hidden staging folder. */
    static MainTest.Result prep(String input) throws Exception {
        Path output = dir.resolve("refused-prep");
        MainTest.Result r = MainTest.run("prep", "--input", input, "--output", output.toString());
        assertTrue(Files.notExists(output), "a refused prep writes nothing");
        try (var siblings = Files.list(dir)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(".refused-prep")),
                    "staging folder left behind");
        }
        return r;
    }

    /**
     * Exit 2 and a single error line naming the path and each expected phrase (beside, at most, the line saying
     * which Spark started); returns that line.
     */
    static String assertOneLine(MainTest.Result r, String path, String... phrases) {
        assertEquals(2, r.status(), r.err());
        List<String> lines = r.err().strip().lines().filter(l -> !l.matches("Spark \\S+ \\(.*\\), UI at .*")).toList();
        assertEquals(1, lines.size(), r.err());
        String line = lines.get(0);
        assertTrue(line.startsWith("sparkgan ") && line.contains(path), line);
        for (String phrase : phrases) assertTrue(line.contains(phrase), "'" + phrase + "' in: " + line);
        return line;
    }

    @Test
    void theArchiveIsNotADataSet() {
        String archive = TestData.archive().toString();
        assertOneLine(train(archive), archive, "not a readable Parquet data set", "the CIFAR-10 archive",
                "prep --input");
        assertOneLine(eval(checkpoint, archive), archive, "the CIFAR-10 archive", "prep --input");
    }

    @Test
    void recordFilesAreNotADataSet() {
        assertOneLine(train(recordFolder), recordFolder, "a folder of CIFAR-10 record files", "prep --input");
        String file = TestData.frogs("test").toString();
        assertOneLine(train(file), file, "a CIFAR-10 record file", "prep --input");
    }

    @Test
    void aRunFolderIsNotADataSet() {
        assertOneLine(train(run), run, "a sparkgan run folder", "prep wrote");
    }

    @Test
    void aCheckpointIsNotADataSet() {
        assertOneLine(train(checkpoint), checkpoint, "a checkpoint folder", "--checkpoint takes");
        assertOneLine(eval(checkpoint, checkpoint), checkpoint, "not a readable Parquet data set",
                "a checkpoint folder");
    }

    @Test
    void anEmptyFolderIsNotADataSet() {
        assertOneLine(train(emptyFolder), emptyFolder, "an empty folder");
    }

    @Test
    void aParquetTableOfAnotherSchemaIsNotADataSet() {
        assertOneLine(train(otherTable), otherTable, "a Parquet table with no 'id' column", "it has step",
                "not a data set written by prep");
    }

    @Test
    void aDataSetIsNotACheckpoint() {
        assertOneLine(eval(frogs, frogs), frogs, "not a checkpoint folder", "a Parquet data set",
                "checkpoints/step-NNNNNN");
        assertOneLine(generate(frogs), frogs, "not a checkpoint folder", "a Parquet data set");
    }

    @Test
    void aRunFolderNamesItsNewestCheckpoint() {
        String line = assertOneLine(generate(run), run, "not a checkpoint folder", "a sparkgan run folder");
        assertTrue(line.endsWith("checkpoints/step-000002"), line);
        String checkpoints = Path.of(run, "checkpoints").toString();
        line = assertOneLine(eval(checkpoints, frogs), checkpoints, "a run's checkpoints folder");
        assertTrue(line.endsWith("checkpoints/step-000002"), line);
    }

    @Test
    void aFileOfACheckpointNamesItsFolder() {
        Path folder = Path.of(URI.create(checkpoint));
        String zip = folder.resolve("generator.zip").toString();
        String line = assertOneLine(generate(zip), zip, "a file inside a checkpoint folder");
        assertTrue(line.contains("pass its folder, ") && line.endsWith(folder.toString()), line);
    }

    @Test
    void theArchiveIsNotACheckpoint() {
        String archive = TestData.archive().toString();
        assertOneLine(generate(archive), archive, "not a checkpoint folder", "the CIFAR-10 archive");
    }

    @Test
    void prepRefusesWhatIsNotCifar10() throws Exception {
        String refused = "not CIFAR-10 in its binary form";
        assertOneLine(prep(frogs), frogs, "already a data set written by prep", "train reads it");
        assertOneLine(prep(run), run, refused, "a sparkgan run folder");
        assertOneLine(prep(checkpoint), checkpoint, refused, "a checkpoint folder");
        assertOneLine(prep(emptyFolder), emptyFolder, refused, "an empty folder");
    }
}
