package org.sparkgan.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.eval.EvalFixtures;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `sparkgan generate` on a tiny trained checkpoint: files, grid, interpolation, determinism and refusals. */
class GenerateCommandTest {
    @TempDir
    static Path dir;
    static String checkpoint;

    @BeforeAll
    static void trainTinyCheckpoint() throws Exception {
        checkpoint = EvalFixtures.tinyCheckpoint(dir);
    }

    static MainTest.Result generate(String output, String... more) {
        List<String> args = new ArrayList<>(List.of("generate", "--checkpoint", checkpoint, "--output", output));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    @Test
    void writesTheAskedNumberOf32x32Pngs() throws Exception {
        Path out = dir.resolve("images");
        MainTest.Result r = generate(out.toString(), "--count", "5", "--seed", "3");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("wrote 5 images"), r.out());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("image-0000.png", "image-0001.png", "image-0002.png", "image-0003.png", "image-0004.png"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (int i = 0; i < 5; i++) {
            BufferedImage image = ImageIO.read(out.resolve(String.format("image-%04d.png", i)).toFile());
            assertEquals(32, image.getWidth());
            assertEquals(32, image.getHeight());
        }

        // the same seed writes the same files; another seed other images
        Path again = dir.resolve("again"), other = dir.resolve("other");
        assertEquals(0, generate(again.toString(), "--count", "5", "--seed", "3").status());
        assertEquals(0, generate(other.toString(), "--count", "1", "--seed", "4").status());
        for (int i = 0; i < 5; i++) {
            String name = String.format("image-%04d.png", i);
            assertArrayEquals(Files.readAllBytes(out.resolve(name)), Files.readAllBytes(again.resolve(name)), name);
        }
        assertFalse(Arrays.equals(pixels(ImageIO.read(out.resolve("image-0000.png").toFile()), 0, 0),
                pixels(ImageIO.read(other.resolve("image-0000.png").toFile()), 0, 0)));
    }

    @Test
    void gridAndInterpolation() throws Exception {
        Path out = dir.resolve("pictures");
        assertEquals(0, generate(out.toString(), "--count", "9", "--grid").status());
        BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
        assertEquals(3 * 34 + 2, grid.getWidth(), "3 columns of 32 pixels and 2-pixel gaps");
        assertEquals(3 * 34 + 2, grid.getHeight());
        assertTrue(Files.notExists(out.resolve("image-0000.png")));

        MainTest.Result r = generate(out.toString(), "--count", "6", "--interpolate", "--seed", "10");
        assertEquals(0, r.status(), r.err());
        BufferedImage strip = ImageIO.read(out.resolve("interpolation.png").toFile());
        assertEquals(6 * 34 + 2, strip.getWidth());
        assertEquals(36, strip.getHeight());

        // the ends are the first images of the two seeds
        Path from = dir.resolve("from"), to = dir.resolve("to");
        assertEquals(0, generate(from.toString(), "--count", "1", "--seed", "10").status());
        assertEquals(0, generate(to.toString(), "--count", "1", "--seed", "11").status());
        assertClose(pixels(ImageIO.read(from.resolve("image-0000.png").toFile()), 0, 0), pixels(strip, 2, 2), "first");
        assertClose(pixels(ImageIO.read(to.resolve("image-0000.png").toFile()), 0, 0), pixels(strip, 2 + 5 * 34, 2), "last");
    }

    @Test
    void helpListsEveryOption() {
        MainTest.Result r = MainTest.run("generate", "--help");
        assertEquals(0, r.status());
        for (Option o : GenerateCommand.OPTIONS) assertTrue(r.out().contains("--" + o.name()), o.name());
        assertTrue(MainTest.run("--help").out().contains("  generate "));
    }

    @Test
    void badInputIsOneLine() {
        String out = dir.resolve("refused").toString();
        TrainCommandTest.assertRefused(generate(out, "--count", "0"), "--count must be a whole number >= 1");
        TrainCommandTest.assertRefused(generate(out, "--grid", "--interpolate"), "exclude each other");
        TrainCommandTest.assertRefused(generate(out, "--interpolate", "--count", "1"), "at least 2");
        TrainCommandTest.assertRefused(generate(out, "--seed", "x"), "--seed must be a whole number");
        TrainCommandTest.assertRefused(MainTest.run("generate", "--checkpoint", dir.resolve("nothing").toString(),
                "--output", out), "no such checkpoint");
        TrainCommandTest.assertRefused(MainTest.run("generate", "--checkpoint", checkpoint), "--output is required");
        assertTrue(Files.notExists(Path.of(out)), "nothing written");
    }

    /** The 32x32 RGB values of the image whose top-left corner is at (x, y). */
    static int[] pixels(BufferedImage image, int x, int y) {
        return image.getRGB(x, y, 32, 32, null, 0, 32);
    }

    /** Equal up to one step per channel: a batch of one and a batch of six may round differently. */
    static void assertClose(int[] expected, int[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                int a = (expected[i] >> shift) & 0xff, b = (actual[i] >> shift) & 0xff;
                assertTrue(Math.abs(a - b) <= 1, what + " pixel " + i + ": " + a + " vs " + b);
            }
        }
    }
}
