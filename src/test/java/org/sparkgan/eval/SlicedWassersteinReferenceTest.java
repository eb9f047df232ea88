package org.sparkgan.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.testing.Pythons;
import org.sparkgan.train.Seeds;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SWD against an independent implementation: src/test/python/sliced_wasserstein_reference.py, numpy code written
 * from Progressive GAN's metrics/sliced_wasserstein.py, is given the same images and the random draws this
 * implementation makes (patch centres, directions) and computes everything else itself: the Laplacian pyramid, the
 * descriptors and their normalisation, the projections, the sorting, the mean. Pyramid and distances must agree to
 * float32 rounding.
 */
class SlicedWassersteinReferenceTest {
    private static final Path SCRIPT = Path.of("src/test/python/sliced_wasserstein_reference.py");
    private static final int N = 40;
    private static final long SEED = 5;
    /** Float32 rounding, in a different order of operations: sums over 5,000 descriptors and 147 components. */
    private static final double TOLERANCE = 1e-5;

    @Test
    void matchesTheReferenceDefinition(@TempDir Path dir) throws Exception {
        assertMatches(EvalFixtures.frogs("train", N), EvalFixtures.frogs("test", N), dir.resolve("frogs"));
        assertMatches(EvalFixtures.frogs("test", N), EvalFixtures.airplanes(N), dir.resolve("airplanes"));
    }

    private static void assertMatches(INDArray a, INDArray b, Path dir) throws Exception {
        Files.createDirectories(dir);
        List<Integer> resolutions = SlicedWasserstein.resolutions(a);
        int side = resolutions.get(0);
        float[] pixelsA = bytes(a, dir.resolve("a.u8")), pixelsB = bytes(b, dir.resolve("b.u8"));
        assertTrue(pixelsB.length == pixelsA.length);
        for (int l = 0; l < resolutions.size(); l++) {
            int[] centres = SlicedWasserstein.patchCentres(N, resolutions.get(l),
                    Seeds.derive(SEED, SlicedWasserstein.PATCH_STREAM, l));
            ByteBuffer buffer = ByteBuffer.allocate(4 * centres.length).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asIntBuffer().put(centres);
            Files.write(dir.resolve("centres_" + l + ".i32"), buffer.array());
            for (int r = 0; r < SlicedWasserstein.REPEATS; r++) {
                writeFloats(SlicedWasserstein.directions(Seeds.derive(SEED, SlicedWasserstein.DIRECTION_STREAM, l, r)),
                        dir.resolve("dirs_" + l + "_" + r + ".f32"));
            }
        }
        new ObjectMapper().writeValue(dir.resolve("meta.json").toFile(), Map.of("images", N, "side", side,
                "levels", resolutions.size(), "repeats", SlicedWasserstein.REPEATS,
                "directions", SlicedWasserstein.DIRECTIONS, "patches", SlicedWasserstein.PATCHES_PER_IMAGE));
        runReference(dir);

        List<float[]> pyramid = SlicedWasserstein.laplacianPyramid(pixelsA, N * 3, resolutions);
        for (int l = 0; l < resolutions.size(); l++) {
            float[] reference = readFloats(dir.resolve("pyramid_a_" + l + ".f32"));
            assertEquals(reference.length, pyramid.get(l).length);
            double worst = 0;
            float[] ours = pyramid.get(l);
            for (int i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i] - ours[i]));
            assertTrue(worst < 1e-3, "pyramid level " + l + ": largest difference " + worst + " (of values up to 255)");
        }

        SlicedWasserstein.Result ours = SlicedWasserstein.distance(a, b, SEED);
        Map<?, ?> theirs = new ObjectMapper().readValue(dir.resolve("result.json").toFile(), Map.class);
        List<?> levels = (List<?>) theirs.get("levels");
        assertEquals(resolutions.size(), levels.size());
        StringBuilder report = new StringBuilder(dir.getFileName() + ":");
        for (int l = 0; l < levels.size(); l++) {
            double expected = ((Number) levels.get(l)).doubleValue(), actual = ours.levels().get(l).value();
            double relative = Math.abs(actual - expected) / expected;
            report.append(String.format(" level %d: %.6f vs reference %.6f (relative %.1e);", resolutions.get(l),
                    actual, expected, relative));
            assertTrue(relative <= TOLERANCE, report.toString());
        }
        System.out.println(report);
    }

    /**
     * The images as the reference takes them, uint8 (written to {@code file}), and as floats 0..255 for the pyramid:
     * [-1, 1] mapped by round((x + 1) · 127.5), the product's documented first step.
     */
    private static float[] bytes(INDArray images, Path file) throws Exception {
        float[] v = images.dup('c').data().asFloat();
        byte[] out = new byte[v.length];
        float[] pixels = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            pixels[i] = Math.round(Math.max(0f, Math.min(255f, (v[i] + 1f) * 127.5f)));
            out[i] = (byte) pixels[i];
        }
        Files.write(file, out);
        return pixels;
    }

    private static void writeFloats(float[] values, Path file) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        Files.write(file, buffer.array());
    }

    private static float[] readFloats(Path file) throws Exception {
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[buffer.remaining() / 4];
        buffer.asFloatBuffer().get(values);
        return values;
    }

    private static void runReference(Path dir) throws Exception {
        String python = Pythons.importing("numpy", "python3-numpy");
        Path log = dir.resolve("python.log");
        Process p = new ProcessBuilder(python, SCRIPT.toString(), dir.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the reference did not finish within 300 s:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), "the reference failed:\n" + Files.readString(log));
    }
}
