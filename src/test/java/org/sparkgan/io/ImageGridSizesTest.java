package org.sparkgan.io;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Grids and single images at 64×64, the second resolution the data sets and the DCGAN support. */
class ImageGridSizesTest {
    @Test
    void a64PixelGridHasItsImagesPixelForPixel() throws Exception {
        INDArray images = Nd4j.rand(DataType.FLOAT, 4, 3, 64, 64).muli(2).subi(1);
        BufferedImage grid = ImageIO.read(new ByteArrayInputStream(ImageGrid.png(images, 2)));
        assertEquals(2 * (64 + 2) + 2, grid.getWidth());
        assertEquals(2 * (64 + 2) + 2, grid.getHeight());
        // image 3 is the second of the second row; its pixel (x 63, y 10)
        int rgb = grid.getRGB(2 + 66 + 63, 2 + 66 + 10);
        assertEquals(ImageGrid.toByte(images.getFloat(3, 0, 10, 63)), (rgb >> 16) & 0xff);
        assertEquals(ImageGrid.toByte(images.getFloat(3, 1, 10, 63)), (rgb >> 8) & 0xff);
        assertEquals(ImageGrid.toByte(images.getFloat(3, 2, 10, 63)), rgb & 0xff);
        BufferedImage one = ImageIO.read(new ByteArrayInputStream(ImageGrid.image(images, 1)));
        assertEquals(64, one.getWidth());
        assertEquals(64, one.getHeight());
    }
}
