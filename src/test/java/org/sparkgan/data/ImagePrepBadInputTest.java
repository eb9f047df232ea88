package org.sparkgan.data;

import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.BadInputException;
import org.sparkgan.testing.TestSpark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad image input: unreadable files are skipped and named (or fail the job with --strict); a folder without images,
 * a flat folder without --class, a column that holds no images and an unsupported size are one-line errors; a
 * failed job leaves the output path exactly as it was.
 */
class ImagePrepBadInputTest {
    @TempDir
    static Path dir;
    // prep on the command line stops the shared session (commands own theirs): each job asks for it again
    /** Ten good frogs and three broken files: a truncated PNG, a truncated JPEG, text named .png. */
    static Path mixed;

    @BeforeAll
    static void writeFiles() throws Exception {
        List<byte[]> frogs = ImageFiles.frogs(12);
        mixed = dir.resolve("mixed");
        for (int i = 0; i < 10; i++) {
            ImageFiles.write(ImageFiles.rgb(frogs.get(i), 32), "png", mixed.resolve("frog").resolve("good-" + i + ".png"));
        }
        Path png = mixed.resolve("frog").resolve("bad-truncated.png"), jpeg = mixed.resolve("frog").resolve("bad-cut.jpg");
        ImageFiles.write(ImageFiles.rgb(frogs.get(10), 32), "png", png);
        Files.write(png, Arrays.copyOf(Files.readAllBytes(png), (int) Files.size(png) / 2));
        ImageFiles.writeJpeg(ImageFiles.rgb(frogs.get(11), 32), 0.9f, jpeg);
        Files.write(jpeg, Arrays.copyOf(Files.readAllBytes(jpeg), (int) Files.size(jpeg) * 2 / 3));
        Files.writeString(mixed.resolve("frog").resolve("bad-text.png"), "this is not a PNG");
    }

    static ImagePrepOptions options(Path input, Path output, boolean strict) {
        return new ImagePrepOptions(input.toString(), output.toString(), 32, null, null, null, "train", strict, false);
    }

    static String failure(org.junit.jupiter.api.function.Executable job) {
        Throwable t = assertThrows(Throwable.class, job);
        BadInputException bad = BadInputException.find(t);
        assertTrue(bad != null, "not reported as bad input: " + t);
        assertTrue(!bad.getMessage().contains("\n"), "one line: " + bad.getMessage());
        return bad.getMessage();
    }

    /** The output path as it was (absent, or the earlier data set), and no hidden staging folder beside it. */
    static void assertUntouched(Path output, List<String> before) throws Exception {
        assertEquals(before, listing(output));
        try (var siblings = Files.list(output.getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith("." + output.getFileName())),
                    "staging folder left behind");
        }
    }

    static List<String> listing(Path p) throws Exception {
        if (!Files.exists(p)) return List.of();
        try (var files = Files.walk(p)) {
            return files.map(f -> p.relativize(f) + ":" + (Files.isRegularFile(f) ? f.toFile().length() : -1)).sorted()
                    .toList();
        }
    }

    @Test
    void unreadableImagesAreSkippedCountedAndNamed() throws Exception {
        PrepJob.Summary s = ImagePrepJob.run(TestSpark.session(), options(mixed, dir.resolve("skipping"), false));
        assertEquals(10, s.totalRows());
        assertEquals(13, s.imagesRead());
        assertEquals(3, s.skipped());
        assertEquals(3, s.firstSkipped().size());
        assertTrue(s.firstSkipped().get(0).contains("bad-cut.jpg"), s.firstSkipped().toString());
        assertTrue(s.firstSkipped().get(1).contains("bad-text.png"), s.firstSkipped().toString());
        assertTrue(s.firstSkipped().get(2).contains("bad-truncated.png"), s.firstSkipped().toString());
    }

    @Test
    void strictFailsOnTheFirstUnreadableImageAndKeepsThePreviousDataSet() throws Exception {
        Path output = dir.resolve("strict");
        ImagePrepJob.run(TestSpark.session(), new ImagePrepOptions(mixed.resolve("frog").resolve("good-0.png").getParent().toString(),
                output.toString(), 32, "frog", null, null, "train", false, false));
        List<String> before = listing(output);
        String msg = failure(() -> ImagePrepJob.run(TestSpark.session(), new ImagePrepOptions(mixed.toString(), output.toString(),
                32, null, null, null, "train", true, true)));
        assertTrue(msg.contains("/frog/bad-") && msg.contains("unreadable image"), msg);
        assertUntouched(output, before);
    }

    @Test
    void aFolderWithoutImagesIsRefused() throws Exception {
        Path notes = dir.resolve("notes");
        Files.createDirectories(notes.resolve("frog"));
        Files.writeString(notes.resolve("frog").resolve("readme.txt"), "no images here");
        Path output = dir.resolve("from-notes");
        String msg = failure(() -> ImagePrepJob.run(TestSpark.session(), options(notes, output, false)));
        assertTrue(msg.contains("no images (.png, .jpg, .jpeg, .bmp, .gif) in this folder or below"), msg);
        assertUntouched(output, List.of());
    }

    @Test
    void onlyUnreadableImagesIsRefused() throws Exception {
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken.resolve("frog"));
        Files.writeString(broken.resolve("frog").resolve("a.png"), "not a PNG");
        Path output = dir.resolve("from-broken");
        String msg = failure(() -> ImagePrepJob.run(TestSpark.session(), options(broken, output, false)));
        assertTrue(msg.contains("none of the 1 images could be read") && msg.contains("a.png"), msg);
        assertUntouched(output, List.of());
    }

    @Test
    void aFlatFolderNeedsAClass() throws Exception {
        Path flat = dir.resolve("flat");
        ImageFiles.write(ImageFiles.rgb(ImageFiles.frogs(1).get(0), 32), "png", flat.resolve("x.png"));
        Path output = dir.resolve("from-flat");
        String msg = failure(() -> ImagePrepJob.run(TestSpark.session(), options(flat, output, false)));
        assertTrue(msg.contains("x.png lies directly in the folder: give --class NAME"), msg);
        assertUntouched(output, List.of());
    }

    @Test
    void anImageColumnThatHoldsNoImagesIsRefused() throws Exception {
        String table = dir.resolve("numbers").toString();
        TestSpark.session().createDataFrame(List.of(RowFactory.create("a.png", 7)),
                new StructType().add("path", DataTypes.StringType).add("content", DataTypes.IntegerType))
                .write().parquet(table);
        Path output = dir.resolve("from-numbers");
        String msg = failure(() -> ImagePrepJob.run(TestSpark.session(), new ImagePrepOptions(table, output.toString(), 32, null,
                null, null, "train", false, false)));
        assertTrue(msg.contains("column 'content' is int, not binary (encoded image bytes) nor Spark's image struct"),
                msg);
        String missing = failure(() -> ImagePrepJob.run(TestSpark.session(), new ImagePrepOptions(table, output.toString(), 32,
                null, "pixels", null, "train", false, false)));
        assertTrue(missing.contains("no image column 'pixels' (it has path, content"), missing);
        assertUntouched(output, List.of());
    }

    @Test
    void anUnsupportedSizeNamesTheSupportedOnes() throws Exception {
        Path output = dir.resolve("from-48");
        String msg = failure(() -> new ImagePrepOptions(mixed.toString(), output.toString(), 48, null, null, null,
                "train", false, false));
        assertEquals("--size 48 is not supported (supported sizes: 32 and 64)", msg);
        org.sparkgan.cli.MainTest.Result r = org.sparkgan.cli.MainTest.run("prep", "--input",
                mixed.toString(), "--output", output.toString(), "--size", "48");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--size 48 is not supported (supported sizes: 32 and 64)"), r.err());
        assertUntouched(output, List.of());
    }
}
