package org.sparkgan.data;

import org.apache.hadoop.conf.Configuration;
import org.sparkgan.testing.TestData;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real test frogs written as image files in the formats and colour types prep must read. */
public final class ImageFiles {
    private ImageFiles() {}

    /** The first {@code n} test frogs' planar RGB bytes (3,072 each), in record order. */
    static List<byte[]> frogs(int n) throws IOException {
        RecordFile file = CifarSource.list(TestData.frogs("test").toString(), "test", new Configuration()).get(0);
        List<byte[]> out = new ArrayList<>();
        try (CifarSource.RecordReader reader = CifarSource.open(file, new Configuration())) {
            while (out.size() < n && reader.next()) out.add(reader.image());
        }
        return out;
    }

    /** A planar image of {@code side}×{@code side} pixels as an RGB picture. */
    public static BufferedImage rgb(byte[] planar, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        int plane = side * side;
        for (int p = 0; p < plane; p++) {
            image.setRGB(p % side, p / side, (planar[p] & 0xff) << 16 | (planar[plane + p] & 0xff) << 8
                    | (planar[2 * plane + p] & 0xff));
        }
        return image;
    }

    /** The same colours with a varying alpha: prep must drop the alpha and keep the colours. */
    static BufferedImage withAlpha(byte[] planar, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_ARGB);
        BufferedImage opaque = rgb(planar, side);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) image.setRGB(x, y, ((x * 8 + 7) & 0xff) << 24 | (opaque.getRGB(x, y) & 0xffffff));
        }
        return image;
    }

    /** Luma (ITU-R 601, integer) of each pixel: what a grey file of the frog holds. */
    static byte[] luma(byte[] planar) {
        int plane = planar.length / 3;
        byte[] grey = new byte[plane];
        for (int p = 0; p < plane; p++) {
            grey[p] = (byte) (((planar[p] & 0xff) * 299 + (planar[plane + p] & 0xff) * 587
                    + (planar[2 * plane + p] & 0xff) * 114) / 1000);
        }
        return grey;
    }

    static BufferedImage grey(byte[] planar, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, side, side, luma(planar));
        return image;
    }

    /** 3-3-2 bit colour cube: 256 palette entries. */
    private static final IndexColorModel PALETTE = palette();

    private static IndexColorModel palette() {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) ((i >> 5) * 255 / 7);
            g[i] = (byte) (((i >> 2) & 7) * 255 / 7);
            b[i] = (byte) ((i & 3) * 255 / 3);
        }
        return new IndexColorModel(8, 256, r, g, b);
    }

    /** The frog with each pixel's colour reduced to the 3-3-2 palette, as a palette image. */
    static BufferedImage paletted(byte[] planar, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_INDEXED, PALETTE);
        WritableRaster raster = image.getRaster();
        int plane = side * side;
        for (int p = 0; p < plane; p++) {
            int index = ((planar[p] & 0xff) >> 5) << 5 | ((planar[plane + p] & 0xff) >> 5) << 2
                    | (planar[2 * plane + p] & 0xff) >> 6;
            raster.setSample(p % side, p / side, 0, index);
        }
        return image;
    }

    /** The planar RGB colours a palette image of the frog shows. */
    static byte[] palettedColours(byte[] planar, int side) {
        BufferedImage image = paletted(planar, side);
        int plane = side * side;
        byte[] out = new byte[3 * plane];
        for (int p = 0; p < plane; p++) {
            int rgb = image.getRGB(p % side, p / side);
            out[p] = (byte) (rgb >> 16);
            out[plane + p] = (byte) (rgb >> 8);
            out[2 * plane + p] = (byte) rgb;
        }
        return out;
    }

    /** Each pixel repeated factor×factor times: the frog at a larger side with exactly the same content. */
    static byte[] enlarged(byte[] planar, int side, int factor) {
        int big = side * factor;
        byte[] out = new byte[3 * big * big];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < big; y++) {
                for (int x = 0; x < big; x++) {
                    out[c * big * big + y * big + x] = planar[c * side * side + (y / factor) * side + x / factor];
                }
            }
        }
        return out;
    }

    static void write(BufferedImage image, String format, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(image, format, file.toFile())) throw new IOException("no ImageIO writer for " + format);
    }

    static void writeJpeg(BufferedImage image, float quality, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
