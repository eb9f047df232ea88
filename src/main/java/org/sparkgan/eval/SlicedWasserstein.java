package org.sparkgan.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.BadInputException;
import org.sparkgan.train.Seeds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Sliced Wasserstein Distance between two image sets, as defined for Progressive GAN: T. Karras, T. Aila, S. Laine,
 * J. Lehtinen, "Progressive Growing of GANs for Improved Quality, Stability, and Variation", ICLR 2018, section 5
 * ("multi-scale statistical similarity"); reference code {@code metrics/sliced_wasserstein.py} of
 * github.com/tkarras/progressive_growing_of_gans.
 *
 * <p>Definition, per set of N RGB images of side S (CIFAR: 32):
 * <ol>
 *   <li>Each image is mapped to 0..255 as the reference feeds it uint8 images: {@code round(clip((x + 1) · 127.5))}
 *       for the project's [-1, 1] tensors (real images get their bytes back; G's outputs are quantised as the
 *       reference quantises its generator's).</li>
 *   <li>Laplacian pyramid down to side 16 (levels S, S/2, …, 16; for CIFAR 32 and 16) with the 5×5 binomial filter
 *       [1,4,6,4,1]ᵀ[1,4,6,4,1]/256 and mirrored borders (scipy's {@code mode="mirror"}, OpenCV's reflect-101):
 *       pyr_down = filter, keep every 2nd pixel; pyr_up = zero-insert, filter ×4; each level but the last is
 *       {@code image − pyr_up(pyr_down(image))}, the last is the low-pass image.</li>
 *   <li>Descriptors: 128 random 7×7×3 neighbourhoods per image per level (centres uniform over the positions where
 *       the patch fits). Per level, each set's descriptors are normalised per colour channel: minus the set's
 *       channel mean, divided by its channel standard deviation, both over all descriptors of that set and level.</li>
 *   <li>4 repeats × 128 random unit directions (Gaussian components, normalised) in the 147-dimensional descriptor
 *       space; both sets are projected, each projection is sorted, and the distance is the mean absolute difference
 *       of the sorted projections, averaged over directions and repeats.</li>
 *   <li>Reported ×1000 per level (finest first), and the mean of the levels.</li>
 * </ol>
 *
 * <p>Deviations, both for reproducibility: all randomness derives from one seed (same seed, same value), and both
 * sets use the same patch positions (the reference draws them independently per set), so SWD(A, A) is exactly 0.
 * A channel with zero spread (flat images) is only centred, where the reference would divide by zero.
 *
 * <p>Blind spot: the per-set normalisation removes each set's mean and contrast per channel, so a generator whose
 * images are globally too dark, too red or too washed out can score like a perfect one. Report colour statistics
 * ({@link ColourStats}) beside the SWD.
 */
public final class SlicedWasserstein {
    public static final int PATCH = 7;
    public static final int PATCHES_PER_IMAGE = 128;
    public static final int REPEATS = 4;
    public static final int DIRECTIONS = 128;
    /** The pyramid stops at this side, as in the reference. */
    public static final int COARSEST = 16;
    private static final int CHANNELS = 3;
    private static final int DIMS = CHANNELS * PATCH * PATCH;
    /** The most images per set whose descriptors fit one Java array. */
    public static final int MAX_IMAGES = Integer.MAX_VALUE / (PATCHES_PER_IMAGE * DIMS);
    /** 1-D binomial taps; the 2-D filter is their outer product. */
    private static final float[] TAPS = {1 / 16f, 4 / 16f, 6 / 16f, 4 / 16f, 1 / 16f};
    // Seeds.derive purposes, so patch positions and directions never share a random stream.
    static final long PATCH_STREAM = 0x9A7C4L;
    static final long DIRECTION_STREAM = 0xD12EC7L;

    /** The distance at one pyramid level, ×1000. */
    public record Level(int resolution, double value) {}

    /** Per-level distances (finest first) and their mean, all ×1000, for sets of {@code images} images each. */
    public record Result(int images, List<Level> levels, double average) {}

    private SlicedWasserstein() {}

    /**
     * One image set reduced to what the distance reads: its normalised descriptors per level, for one seed. Comparing
     * many sets with one reference (every {@code --eval-every}, every checkpoint of {@code eval}) describes the
     * reference once. Holds {@code images × 128 × 147} floats per level: 75 MB for 500 images at 32×32 (two levels).
     */
    public static final class Described {
        private final long[] shape;
        private final long seed;
        private final List<Integer> resolutions;
        private final List<float[]> descriptors;

        private Described(long[] shape, long seed, List<Integer> resolutions, List<float[]> descriptors) {
            this.shape = shape;
            this.seed = seed;
            this.resolutions = resolutions;
            this.descriptors = descriptors;
        }

        public int images() {
            return (int) shape[0];
        }
    }

    /**
     * Describes a set of NCHW RGB images in [-1, 1] (values outside are clipped), square, with side S, S/2, … down
     * to 16; throws {@link BadInputException} for any other shape.
     */
    public static Described describe(INDArray images, long seed) {
        List<Integer> resolutions = resolutions(images);
        if (images.size(0) > MAX_IMAGES) throw new BadInputException("SWD takes at most " + MAX_IMAGES + " images per set");
        int n = (int) images.size(0);
        List<float[]> pyramid = laplacianPyramid(pixels(images), n * CHANNELS, resolutions);
        List<float[]> descriptors = new ArrayList<>();
        for (int l = 0; l < resolutions.size(); l++) {
            int side = resolutions.get(l);
            // drawn from (seed, level, set size) alone, so two sets of one shape share their patch positions
            int[] centres = patchCentres(n, side, Seeds.derive(seed, PATCH_STREAM, l));
            descriptors.add(descriptors(pyramid.get(l), n, side, centres));
        }
        return new Described(images.shape(), seed, resolutions, descriptors);
    }

    /**
     * SWD×1000 between two sets of NCHW RGB images in [-1, 1], square and of equal shape; throws
     * {@link BadInputException} when the sets differ in size or shape.
     */
    public static Result distance(INDArray a, INDArray b, long seed) {
        resolutions(a); // a bad batch is named as such before any comparison of shapes
        checkSameShape(a.shape(), b.shape());
        return distance(describe(a, seed), describe(b, seed));
    }

    /** {@link #distance(INDArray, INDArray, long)} of a set and an already described one. */
    public static Result distance(INDArray a, Described b) {
        resolutions(a);
        checkSameShape(a.shape(), b.shape);
        return distance(describe(a, b.seed), b);
    }

    /** SWD×1000 between two described sets of the same shape and seed. */
    public static Result distance(Described a, Described b) {
        checkSameShape(a.shape, b.shape);
        if (a.seed != b.seed) throw new IllegalArgumentException("sets described with seeds " + a.seed + " and " + b.seed);
        List<Level> levels = new ArrayList<>();
        for (int l = 0; l < a.resolutions.size(); l++) {
            double value = sliced(a.descriptors.get(l), b.descriptors.get(l), a.seed, l);
            levels.add(new Level(a.resolutions.get(l), 1e3 * value));
        }
        return new Result(a.images(), levels, levels.stream().mapToDouble(Level::value).average().orElseThrow());
    }

    private static void checkSameShape(long[] a, long[] b) {
        if (!Arrays.equals(a, b)) {
            throw new BadInputException("SWD needs two sets of the same size and image shape, got "
                    + Arrays.toString(a) + " and " + Arrays.toString(b));
        }
    }

    /** The pyramid's sides for these images, finest first: S, S/2, … down to 16. */
    static List<Integer> resolutions(INDArray images) {
        long[] s = images.shape();
        if (s.length != 4 || s[1] != CHANNELS || s[2] != s[3] || s[2] < COARSEST || s[0] < 1) {
            throw new BadInputException("SWD needs a non-empty N x 3 x S x S image batch with S >= " + COARSEST
                    + ", got " + Arrays.toString(s));
        }
        List<Integer> out = new ArrayList<>();
        for (int side = (int) s[2]; side >= COARSEST; side /= 2) {
            if (!out.isEmpty() && out.get(out.size() - 1) % 2 != 0) {
                throw new BadInputException("SWD: image side " + s[2] + " does not halve evenly down to " + COARSEST);
            }
            out.add(side);
        }
        return out;
    }

    /** NCHW values in [-1, 1] → the 0..255 integers the reference works on, as floats. */
    private static float[] pixels(INDArray images) {
        float[] v = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        for (int i = 0; i < v.length; i++) v[i] = Math.round(Math.max(0f, Math.min(255f, (v[i] + 1f) * 127.5f)));
        return v;
    }

    /** Laplacian pyramid of {@code planes} square planes, finest level first. */
    static List<float[]> laplacianPyramid(float[] image, int planes, List<Integer> resolutions) {
        List<float[]> levels = new ArrayList<>();
        float[] current = image;
        for (int l = 0; l + 1 < resolutions.size(); l++) {
            int side = resolutions.get(l);
            float[] down = pyrDown(current, planes, side);
            float[] up = pyrUp(down, planes, side / 2);
            float[] detail = new float[current.length];
            for (int i = 0; i < detail.length; i++) detail[i] = current[i] - up[i];
            levels.add(detail);
            current = down;
        }
        levels.add(current);
        return levels;
    }

    /** Blur with the binomial filter, keep every 2nd pixel of every 2nd row (OpenCV's pyrDown). */
    static float[] pyrDown(float[] src, int planes, int side) {
        float[] blurred = blur(src, planes, side, 1f);
        int half = side / 2;
        float[] out = new float[planes * half * half];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < half; y++) {
                for (int x = 0; x < half; x++) out[(p * half + y) * half + x] = blurred[(p * side + 2 * y) * side + 2 * x];
            }
        }
        return out;
    }

    /** Insert zeros between pixels and rows, blur with the binomial filter ×4 (OpenCV's pyrUp). */
    static float[] pyrUp(float[] src, int planes, int side) {
        int twice = side * 2;
        float[] spread = new float[planes * twice * twice];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) spread[(p * twice + 2 * y) * twice + 2 * x] = src[(p * side + y) * side + x];
            }
        }
        return blur(spread, planes, twice, 2f); // 2 per axis: ×4 in 2-D
    }

    /** Separable 5×5 binomial filter with mirrored borders, each 1-D pass scaled by {@code gain}. */
    private static float[] blur(float[] src, int planes, int side, float gain) {
        float[] rows = new float[src.length];
        float[] out = new float[src.length];
        for (int p = 0; p < planes; p++) {
            int base = p * side * side;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    float s = 0;
                    for (int k = -2; k <= 2; k++) s += TAPS[k + 2] * src[base + y * side + mirror(x + k, side)];
                    rows[base + y * side + x] = gain * s;
                }
            }
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    float s = 0;
                    for (int k = -2; k <= 2; k++) s += TAPS[k + 2] * rows[base + mirror(y + k, side) * side + x];
                    out[base + y * side + x] = gain * s;
                }
            }
        }
        return out;
    }

    /** Reflection about the edge pixel's centre (d c b | a b c d | c b a), scipy.ndimage's "mirror". */
    private static int mirror(int i, int n) {
        if (i < 0) return -i;
        if (i >= n) return 2 * (n - 1) - i;
        return i;
    }

    /** (y, x) centres of each image's patches, image-major: the same for both sets. */
    static int[] patchCentres(int images, int side, long seed) {
        Random random = new Random(seed);
        int h = PATCH / 2;
        int[] centres = new int[images * PATCHES_PER_IMAGE * 2];
        for (int i = 0; i < centres.length; i += 2) {
            centres[i] = random.nextInt(h, side - h);
            centres[i + 1] = random.nextInt(h, side - h);
        }
        return centres;
    }

    /** The 7×7×3 neighbourhoods at the centres, one 147-vector (channel, row, column) each, normalised per channel. */
    private static float[] descriptors(float[] level, int images, int side, int[] centres) {
        int count = images * PATCHES_PER_IMAGE, h = PATCH / 2, area = PATCH * PATCH;
        float[] d = new float[count * DIMS];
        for (int k = 0; k < count; k++) {
            int image = k / PATCHES_PER_IMAGE, cy = centres[2 * k], cx = centres[2 * k + 1];
            for (int c = 0; c < CHANNELS; c++) {
                int plane = (image * CHANNELS + c) * side * side;
                for (int dy = 0; dy < PATCH; dy++) {
                    System.arraycopy(level, plane + (cy - h + dy) * side + cx - h, d, k * DIMS + c * area + dy * PATCH, PATCH);
                }
            }
        }
        for (int c = 0; c < CHANNELS; c++) {
            double sum = 0;
            for (int k = 0; k < count; k++) for (int j = c * area; j < (c + 1) * area; j++) sum += d[k * DIMS + j];
            double mean = sum / ((double) count * area);
            double squares = 0;
            for (int k = 0; k < count; k++) {
                for (int j = c * area; j < (c + 1) * area; j++) squares += (d[k * DIMS + j] - mean) * (d[k * DIMS + j] - mean);
            }
            double std = Math.sqrt(squares / ((double) count * area));
            double scale = std > 0 ? 1 / std : 1;
            for (int k = 0; k < count; k++) {
                for (int j = c * area; j < (c + 1) * area; j++) d[k * DIMS + j] = (float) ((d[k * DIMS + j] - mean) * scale);
            }
        }
        return d;
    }

    /** Mean over repeats and directions of the 1-D Wasserstein-1 distance between the projected descriptor sets. */
    private static double sliced(float[] a, float[] b, long seed, int level) {
        int count = a.length / DIMS;
        INDArray ma = Nd4j.create(a, new long[]{count, DIMS}, DataType.FLOAT);
        INDArray mb = Nd4j.create(b, new long[]{count, DIMS}, DataType.FLOAT);
        // one row per direction ('c' order), so each projection is one contiguous run to sort
        INDArray projection = Nd4j.create(DataType.FLOAT, DIRECTIONS, count);
        double total = 0;
        double[] perDirection = new double[DIRECTIONS];
        ThreadLocal<int[][]> buffers = ThreadLocal.withInitial(() -> new int[3][count]); // keys a, keys b, scratch
        for (int r = 0; r < REPEATS; r++) {
            INDArray dirs = Nd4j.create(directions(Seeds.derive(seed, DIRECTION_STREAM, level, r)),
                    new long[]{DIRECTIONS, DIMS}, DataType.FLOAT);
            float[] pa = Nd4j.gemm(dirs, ma, projection, false, true, 1.0, 0.0).data().asFloat();
            float[] pb = Nd4j.gemm(dirs, mb, projection, false, true, 1.0, 0.0).data().asFloat();
            // each direction's sum is one thread's, and the directions are added in order: the value's last bits do
            // not depend on how many processors share the work
            IntStream.range(0, DIRECTIONS).parallel().forEach(d -> {
                int[][] b3 = buffers.get();
                int[] ka = b3[0], kb = b3[1], scratch = b3[2];
                sortedKeys(pa, d * count, ka, scratch);
                sortedKeys(pb, d * count, kb, scratch);
                double s = 0;
                for (int k = 0; k < count; k++) s += Math.abs(fromKey(ka[k]) - fromKey(kb[k]));
                perDirection[d] = s;
            });
            for (double s : perDirection) total += s;
        }
        return total / ((double) REPEATS * DIRECTIONS * count);
    }

    /**
     * {@code keys.length} floats from {@code values[from]} on, as order-preserving int keys sorted ascending
     * (LSD radix sort, 4 × 8 bits): several times faster than {@link Arrays#sort(float[])} for these 10⁵-long runs.
     */
    static void sortedKeys(float[] values, int from, int[] keys, int[] scratch) {
        int n = keys.length;
        int[] counts = new int[4 * 256];
        for (int i = 0; i < n; i++) {
            int k = toKey(values[from + i]);
            keys[i] = k;
            counts[k & 0xff]++;
            counts[256 + ((k >>> 8) & 0xff)]++;
            counts[512 + ((k >>> 16) & 0xff)]++;
            counts[768 + (k >>> 24)]++;
        }
        int[] src = keys, dst = scratch;
        for (int pass = 0; pass < 4; pass++) {
            int shift = 8 * pass, base = 256 * pass, position = 0;
            for (int digit = 0; digit < 256; digit++) {
                int c = counts[base + digit];
                counts[base + digit] = position;
                position += c;
            }
            for (int i = 0; i < n; i++) dst[counts[base + ((src[i] >>> shift) & 0xff)]++] = src[i];
            int[] t = src;
            src = dst;
            dst = t;
        } // an even number of passes: the result is back in keys
    }

    /** Float bits → an int whose unsigned order is the float order: negatives inverted, positives' sign bit set. */
    private static int toKey(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits ^ ((bits >> 31) | 0x80000000);
    }

    /** The float of a {@link #toKey} key. */
    static float fromKey(int key) {
        return Float.intBitsToFloat(key ^ ((~key >> 31) | 0x80000000));
    }

    /** {@link #DIRECTIONS} random unit vectors in descriptor space, one per row. */
    static float[] directions(long seed) {
        Random random = new Random(seed);
        float[] dirs = new float[DIRECTIONS * DIMS];
        for (int d = 0; d < DIRECTIONS; d++) {
            double[] g = new double[DIMS];
            double norm = 0;
            for (int j = 0; j < DIMS; j++) {
                g[j] = random.nextGaussian();
                norm += g[j] * g[j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < DIMS; j++) dirs[d * DIMS + j] = (float) (g[j] / norm);
        }
        return dirs;
    }
}
