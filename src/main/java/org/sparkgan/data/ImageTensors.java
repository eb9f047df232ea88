package org.sparkgan.data;

import org.sparkgan.BadInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Image bytes ↔ network tensors. An image's 3·S² bytes are channel-major (R, G, B planes, as a CIFAR record), which
 * is DL4J's NCHW layout, so conversion is a scale: byte b → b/127.5 − 1 in [-1, 1], the range of G's tanh output.
 * (The seed divides by 255 into [0, 1], which a tanh generator can only half cover: a deliberate deviation.)
 */
public final class ImageTensors {
    private ImageTensors() {}

    /** N×3×S×S for N images of one square side S (from their length); images of other lengths are refused. */
    public static INDArray toTensor(List<byte[]> images) {
        if (images.isEmpty()) throw new BadInputException("no images");
        int bytes = images.get(0).length, side = side(bytes);
        float[] values = new float[images.size() * bytes];
        int i = 0;
        for (byte[] image : images) {
            if (image.length != bytes) {
                throw new BadInputException("image has " + image.length + " bytes, expected " + bytes + " (" + side
                        + "x" + side + "x3, as the first image)");
            }
            for (byte b : image) values[i++] = (b & 0xff) / 127.5f - 1f;
        }
        return Nd4j.create(values, new long[]{images.size(), CifarFormat.CHANNELS, side, side}, DataType.FLOAT);
    }

    /** The side S of a square RGB image of {@code bytes} = 3·S² bytes. */
    public static int side(int bytes) {
        int side = (int) Math.round(Math.sqrt(bytes / (double) CifarFormat.CHANNELS));
        if (side < 1 || CifarFormat.CHANNELS * side * side != bytes) {
            throw new BadInputException("image has " + bytes + " bytes: not a square RGB image (3 x side x side)");
        }
        return side;
    }
}
