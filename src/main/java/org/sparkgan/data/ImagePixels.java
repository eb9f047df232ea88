package org.sparkgan.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Encoded images (PNG, JPEG, BMP, GIF: whatever the JDK's ImageIO reads) → the data set's pixel layout: 8-bit RGB
 * planes (all R, then G, then B, each row-major), the layout of a CIFAR-10 record, at a square side.
 */
public final class ImagePixels {
    /** The sides a data set may have: CIFAR's, and one doubling (one more stage of the DCGAN). */
    public static final List<Integer> SIDES = List.of(32, 64);

    private ImagePixels() {}

    /** An image that could not be decoded; its message is the reason, without the path. */
    public static final class UnreadableImageException extends Exception {
        UnreadableImageException(String message) {
            super(message);
        }
    }

    /** Decoded pixels, planar RGB. */
    public record Planar(int width, int height, byte[] rgb) {}

    /**
     * Decodes the first image of an encoded file. A decoder warning counts as a failure: the JDK's JPEG reader
     * only warns about a truncated file and fills the rest grey, which must not become training data.
     */
    public static Planar decode(byte[] encoded) throws UnreadableImageException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new UnreadableImageException("not an image format ImageIO reads");
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((IIOReadWarningListener) (source, warning) -> warnings.add(warning));
            try {
                reader.setInput(in, true, true);
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) throw new UnreadableImageException(warnings.get(0));
                return toPlanar(image);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) { // decoders throw unchecked exceptions on some corrupt files
            throw new UnreadableImageException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /**
     * RGB planes of any decoded image. Grey images are read from their samples (v → v, v, v): the JDK's
     * {@code getRGB} would pass them through a linear-to-sRGB conversion and brighten them. Palette images
     * take their palette colours; alpha is dropped, keeping the stored colour (as PIL's {@code convert("RGB")}).
     */
    static Planar toPlanar(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight(), plane = w * h;
        byte[] rgb = new byte[3 * plane];
        boolean grey = !(image.getColorModel() instanceof IndexColorModel)
                && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        if (grey) {
            Raster raster = image.getRaster();
            int shift = Math.max(0, raster.getSampleModel().getSampleSize(0) - 8); // 16-bit grey: keep the high byte
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    byte v = (byte) (raster.getSample(x, y, 0) >>> shift);
                    int p = y * w + x;
                    rgb[p] = v;
                    rgb[plane + p] = v;
                    rgb[2 * plane + p] = v;
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    rgb[p] = (byte) (row[x] >>> 16);
                    rgb[plane + p] = (byte) (row[x] >>> 8);
                    rgb[2 * plane + p] = (byte) row[x];
                }
            }
        }
        return new Planar(w, h, rgb);
    }

    /**
     * Planar RGB from interleaved BGR or BGRA bytes, row-major: the {@code data} field of Spark's {@code image}
     * data source (OpenCV's order). One channel is grey.
     */
    public static Planar fromInterleavedBgr(byte[] data, int width, int height, int channels) {
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new IllegalArgumentException(channels + " channels (expected 1, 3 or 4)");
        }
        if (data.length != width * height * channels) {
            throw new IllegalArgumentException(data.length + " bytes for " + width + "x" + height + "x" + channels);
        }
        int plane = width * height;
        byte[] rgb = new byte[3 * plane];
        for (int p = 0; p < plane; p++) {
            int at = p * channels;
            rgb[p] = data[channels == 1 ? at : at + 2];
            rgb[plane + p] = data[channels == 1 ? at : at + 1];
            rgb[2 * plane + p] = data[at];
        }
        return new Planar(width, height, rgb);
    }

    /**
     * The centred square of the image (side: the shorter edge), resized to {@code side}×{@code side} by area
     * averaging: each output pixel is the mean of the source area it covers, partial pixels weighted by their
     * covered fraction (anti-aliased when shrinking; pixel replication when enlarging by a whole factor). An image
     * already square at {@code side} comes back unchanged. Rounded to the nearest byte.
     */
    public static byte[] squareAt(Planar image, int side) {
        int crop = Math.min(image.width(), image.height());
        int x0 = (image.width() - crop) / 2, y0 = (image.height() - crop) / 2;
        int plane = image.width() * image.height();
        if (crop == side && image.width() == image.height()) return image.rgb();
        double[][] weights = areaWeights(crop, side);
        byte[] out = new byte[3 * side * side];
        double[] rows = new double[side * crop]; // vertical pass: side rows of crop columns
        for (int c = 0; c < 3; c++) {
            int base = c * plane;
            java.util.Arrays.fill(rows, 0);
            for (int oy = 0; oy < side; oy++) {
                double[] wy = weights[oy];
                for (int sy = 0; sy < crop; sy++) {
                    if (wy[sy] == 0) continue;
                    int src = base + (y0 + sy) * image.width() + x0;
                    for (int sx = 0; sx < crop; sx++) rows[oy * crop + sx] += wy[sy] * (image.rgb()[src + sx] & 0xff);
                }
            }
            for (int oy = 0; oy < side; oy++) {
                for (int ox = 0; ox < side; ox++) {
                    double[] wx = weights[ox];
                    double s = 0;
                    for (int sx = 0; sx < crop; sx++) s += wx[sx] * rows[oy * crop + sx];
                    out[c * side * side + oy * side + ox] = (byte) Math.max(0, Math.min(255, Math.round(s)));
                }
            }
        }
        return out;
    }

    /** weights[o][s]: the share of output pixel o's area that source pixel s covers (rows sum to 1). */
    static double[][] areaWeights(int sourceSide, int side) {
        double[][] w = new double[side][sourceSide];
        double scale = (double) sourceSide / side;
        for (int o = 0; o < side; o++) {
            double from = o * scale, to = (o + 1) * scale;
            for (int s = (int) Math.floor(from); s < Math.min(sourceSide, Math.ceil(to)); s++) {
                w[o][s] = (Math.min(to, s + 1) - Math.max(from, s)) / scale;
            }
        }
        return w;
    }
}
