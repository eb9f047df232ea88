package org.sparkgan.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** PNG pictures of image batches: NCHW floats in [-1, 1] (G's tanh range) → a grid with thin gaps. */
public final class ImageGrid {
    private static final int GAP = 2;
    private static final int BACKGROUND = 0x202020;

    private ImageGrid() {}

    /** A grid of {@code columns} images per row; values outside [-1, 1] are clipped. */
    public static byte[] png(INDArray images, int columns) {
        return png(images, columns, GAP);
    }

    /** Image {@code index} of the batch alone, without a border. */
    public static byte[] image(INDArray images, int index) {
        return png(images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(index, index + 1)), 1, 0);
    }

    private static byte[] png(INDArray images, int columns, int gap) {
        int n = (int) images.size(0), h = (int) images.size(2), w = (int) images.size(3);
        int rows = (n + columns - 1) / columns;
        BufferedImage out = new BufferedImage(columns * (w + gap) + gap, rows * (h + gap) + gap, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) for (int x = 0; x < out.getWidth(); x++) out.setRGB(x, y, BACKGROUND);
        float[] v = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            int ox = gap + (i % columns) * (w + gap), oy = gap + (i / columns) * (h + gap);
            int base = i * 3 * plane;
            for (int p = 0; p < plane; p++) {
                int rgb = (toByte(v[base + p]) << 16) | (toByte(v[base + plane + p]) << 8) | toByte(v[base + 2 * plane + p]);
                out.setRGB(ox + p % w, oy + p / w, rgb);
            }
        }
        return encode(out);
    }

    /** A pixel value of G's tanh range [-1, 1] as a byte 0..255 (values outside are clipped). */
    public static int toByte(float x) {
        float c = Math.max(-1f, Math.min(1f, x));
        return Math.round((c + 1f) * 127.5f);
    }

    /**
     * PNG bytes, encoded through a memory cache: ImageIO's default file cache registers a shutdown hook with its first
     * stream, which throws once the JVM is shutting down, and a stop's samples are written exactly then (SIGTERM).
     */
    static byte[] encode(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
