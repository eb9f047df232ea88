package org.sparkgan.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.BadInputException;
import org.sparkgan.Names;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Differentiable augmentation (Zhao et al., "Differentiable Augmentation for Data-Efficient GAN Training", NeurIPS
 * 2020), with the parameters of the paper's reference code, on images in [-1, 1] shaped [n, channels, height, width]:
 * <ul>
 *   <li>{@code color}: brightness x + U(-0.5, 0.5); saturation m + (x - m)·U(0, 2), m the pixel's mean over the
 *       channels; contrast M + (x - M)·(U(0, 1) + 0.5), M the image's mean;</li>
 *   <li>{@code translation}: a shift by whole pixels, up to 1/8 of the size in each direction, zeros shifted in;</li>
 *   <li>{@code cutout}: one square of half the size zeroed, its centre anywhere on the image (clipped at the
 *       border).</li>
 * </ul>
 * Each image draws its own numbers. Every op is affine in the image with the drawn numbers fixed, so the gradient
 * through an {@link Augmentation} needs only those numbers: G's update maps D's input gradient back through the same
 * augmentation to G's output.
 */
public final class DiffAugment {
    public enum Op { COLOR, TRANSLATION, CUTOUT }

    public static final String NONE = "none";
    static final double TRANSLATION_RATIO = 0.125;
    static final double CUTOUT_RATIO = 0.5;

    private static final List<String> OP_NAMES = Arrays.stream(Op.values()).map(o -> o.name().toLowerCase()).toList();

    private final List<Op> policy;

    private DiffAugment(List<Op> policy) {
        this.policy = List.copyOf(policy);
    }

    /** The augmentation of a policy text: {@code none}, or op names separated by commas, applied in that order. */
    public static DiffAugment of(String policyText) {
        return new DiffAugment(ops(policyText));
    }

    /** The policy as configuration records it (spaces dropped); a one-line error names an unknown or repeated op. */
    public static String parsePolicy(String text) {
        List<Op> ops = ops(text);
        return ops.isEmpty() ? NONE : String.join(",", ops.stream().map(o -> o.name().toLowerCase()).toList());
    }

    private static List<Op> ops(String text) {
        String trimmed = text.trim();
        if (trimmed.equals(NONE)) return List.of();
        List<Op> ops = new ArrayList<>();
        for (String part : trimmed.split(",", -1)) {
            String name = part.trim();
            if (!OP_NAMES.contains(name)) {
                throw new BadInputException("unknown augment policy '" + name + "' in '" + text + "'"
                        + Names.nearest(name, OP_NAMES).map(n -> " (did you mean '" + n + "'?)").orElse("")
                        + " (expected none or a comma-separated subset of " + String.join(", ", OP_NAMES) + ")");
            }
            Op op = Op.valueOf(name.toUpperCase());
            if (ops.contains(op)) {
                throw new BadInputException("augment policy '" + name + "' given twice in '" + text + "'");
            }
            ops.add(op);
        }
        return ops;
    }

    public List<Op> policy() {
        return policy;
    }

    public boolean isNone() {
        return policy.isEmpty();
    }

    /**
     * The numbers of one augmentation of a batch shaped as {@code batch}, from java.util.Random seeded with
     * {@code seed}: each op of the policy in turn draws for every image in turn (color: brightness, saturation and
     * contrast factor; translation: row shift, then column shift; cutout: centre row, then centre column).
     */
    public Augmentation draw(INDArray batch, long seed) {
        int images = (int) batch.size(0), height = (int) batch.size(2), width = (int) batch.size(3);
        Random random = new Random(seed);
        Augmentation a = new Augmentation(policy, images, height, width);
        for (Op op : policy) {
            for (int i = 0; i < images; i++) {
                switch (op) {
                    case COLOR -> {
                        a.brightness[i] = random.nextFloat() - 0.5f;
                        a.saturation[i] = random.nextFloat() * 2;
                        a.contrast[i] = random.nextFloat() + 0.5f;
                    }
                    case TRANSLATION -> {
                        a.shiftRows[i] = random.nextInt(2 * a.maxShiftRows + 1) - a.maxShiftRows;
                        a.shiftCols[i] = random.nextInt(2 * a.maxShiftCols + 1) - a.maxShiftCols;
                    }
                    // the reference's range of centres: one more than the size when the square's side is even
                    case CUTOUT -> {
                        a.cutoutRow[i] = random.nextInt(height + 1 - a.cutoutHeight % 2);
                        a.cutoutCol[i] = random.nextInt(width + 1 - a.cutoutWidth % 2);
                    }
                }
            }
        }
        return a;
    }

    /** The drawn numbers of one augmentation of a batch: {@link #apply} augments, {@link #backprop} is its gradient. */
    public static final class Augmentation {
        final List<Op> policy;
        final int images, height, width;
        final int maxShiftRows, maxShiftCols, cutoutHeight, cutoutWidth;
        final float[] brightness, saturation, contrast;
        final int[] shiftRows, shiftCols, cutoutRow, cutoutCol;

        Augmentation(List<Op> policy, int images, int height, int width) {
            this.policy = policy;
            this.images = images;
            this.height = height;
            this.width = width;
            maxShiftRows = (int) (height * TRANSLATION_RATIO + 0.5);
            maxShiftCols = (int) (width * TRANSLATION_RATIO + 0.5);
            cutoutHeight = (int) (height * CUTOUT_RATIO + 0.5);
            cutoutWidth = (int) (width * CUTOUT_RATIO + 0.5);
            brightness = new float[images];
            saturation = new float[images];
            contrast = new float[images];
            shiftRows = new int[images];
            shiftCols = new int[images];
            cutoutRow = new int[images];
            cutoutCol = new int[images];
        }

        /**
         * The drawn numbers, one row per image: brightness, saturation and contrast factors, row and column shift,
         * cutout centre row and column (0 for an op outside the policy), for comparisons with other implementations.
         */
        public INDArray numbers() {
            double[][] rows = new double[images][];
            for (int i = 0; i < images; i++) {
                rows[i] = new double[]{brightness[i], saturation[i], contrast[i], shiftRows[i], shiftCols[i],
                        cutoutRow[i], cutoutCol[i]};
            }
            return Nd4j.create(rows);
        }

        /** The augmented images, a new array of {@code x}'s data type (computed in double precision). */
        public INDArray apply(INDArray x) {
            double[] v = values(x);
            int channels = (int) x.size(1), size = channels * height * width;
            double[] scratch = new double[size];
            for (int i = 0; i < images; i++) {
                for (Op op : policy) {
                    switch (op) {
                        case COLOR -> color(v, i * size, channels, i);
                        case TRANSLATION -> translate(v, scratch, i * size, channels, shiftRows[i], shiftCols[i]);
                        case CUTOUT -> cutout(v, i * size, channels, i);
                    }
                }
            }
            return Nd4j.create(v, x.shape(), 'c').castTo(x.dataType());
        }

        /** The gradient with respect to {@link #apply}'s input, from the gradient with respect to its output. */
        public INDArray backprop(INDArray gradientOfOutput) {
            double[] g = values(gradientOfOutput);
            int channels = (int) gradientOfOutput.size(1), size = channels * height * width;
            double[] scratch = new double[size];
            for (int i = 0; i < images; i++) {
                for (int k = policy.size() - 1; k >= 0; k--) {
                    switch (policy.get(k)) {
                        case COLOR -> colorGradient(g, i * size, channels, i);
                        // the transpose of a shift with zero fill is the opposite shift with zero fill
                        case TRANSLATION -> translate(g, scratch, i * size, channels, -shiftRows[i], -shiftCols[i]);
                        case CUTOUT -> cutout(g, i * size, channels, i);
                    }
                }
            }
            return Nd4j.create(g, gradientOfOutput.shape(), 'c').castTo(gradientOfOutput.dataType());
        }

        private double[] values(INDArray x) {
            if (x.rank() != 4 || x.size(0) != images || x.size(2) != height || x.size(3) != width) {
                throw new IllegalArgumentException("augmentation drawn for " + images + " images of " + height + "x"
                        + width + ", got shape " + Arrays.toString(x.shape()));
            }
            return x.dup('c').data().asDouble();
        }

        private void color(double[] v, int start, int channels, int i) {
            int pixels = height * width, end = start + channels * pixels;
            for (int j = start; j < end; j++) v[j] += brightness[i];
            for (int p = 0; p < pixels; p++) {
                double sum = 0;
                for (int c = 0; c < channels; c++) sum += v[start + c * pixels + p];
                double mean = sum / channels;
                for (int c = 0; c < channels; c++) {
                    int j = start + c * pixels + p;
                    v[j] = mean + (v[j] - mean) * saturation[i];
                }
            }
            double sum = 0;
            for (int j = start; j < end; j++) sum += v[j];
            double mean = sum / (end - start);
            for (int j = start; j < end; j++) v[j] = mean + (v[j] - mean) * contrast[i];
        }

        /**
         * Saturation and contrast are y = f·x + (1 - f)·mean(x) over a group (a pixel's channels, the whole image),
         * so dL/dx = f·dL/dy + (1 - f)·mean(dL/dy) over the same group; brightness passes the gradient unchanged.
         */
        private void colorGradient(double[] g, int start, int channels, int i) {
            int pixels = height * width, end = start + channels * pixels;
            double sum = 0;
            for (int j = start; j < end; j++) sum += g[j];
            double meanTerm = (1 - contrast[i]) * sum / (end - start);
            for (int j = start; j < end; j++) g[j] = contrast[i] * g[j] + meanTerm;
            for (int p = 0; p < pixels; p++) {
                double channelSum = 0;
                for (int c = 0; c < channels; c++) channelSum += g[start + c * pixels + p];
                double pixelTerm = (1 - saturation[i]) * channelSum / channels;
                for (int c = 0; c < channels; c++) {
                    int j = start + c * pixels + p;
                    g[j] = saturation[i] * g[j] + pixelTerm;
                }
            }
        }

        /** out(r, c) = in(r + dr, c + dc), zero where that is outside the image; in place, through {@code scratch}. */
        private void translate(double[] v, double[] scratch, int start, int channels, int dr, int dc) {
            Arrays.fill(scratch, 0.0);
            for (int ch = 0; ch < channels; ch++) {
                int plane = start + ch * height * width;
                for (int r = Math.max(0, -dr); r < Math.min(height, height - dr); r++) {
                    int c0 = Math.max(0, -dc), c1 = Math.min(width, width - dc);
                    if (c1 > c0) System.arraycopy(v, plane + (r + dr) * width + c0 + dc,
                            scratch, ch * height * width + r * width + c0, c1 - c0);
                }
            }
            System.arraycopy(scratch, 0, v, start, scratch.length);
        }

        /** Zeroes the square of image {@code i}; its own transpose, so the gradient path uses it too. */
        private void cutout(double[] v, int start, int channels, int i) {
            int top = cutoutRow[i] - cutoutHeight / 2, left = cutoutCol[i] - cutoutWidth / 2;
            int r0 = Math.max(0, top), r1 = Math.min(height, top + cutoutHeight);
            int c0 = Math.max(0, left), c1 = Math.min(width, left + cutoutWidth);
            for (int ch = 0; ch < channels; ch++) {
                for (int r = r0; r < r1; r++) {
                    int row = start + (ch * height + r) * width;
                    Arrays.fill(v, row + c0, row + c1, 0.0);
                }
            }
        }
    }
}
