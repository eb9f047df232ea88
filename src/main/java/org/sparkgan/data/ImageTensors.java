package org.sparkgan.data;

import org.sparkgan.BadInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * CIFAR image bytes ↔ network tensors. A record's 3,072 bytes are already channel-major (R, G, B planes), which is
 * DL4J's NCHW layout, so conversion is a scale: byte b → b/127.5 − 1 in [-1, 1], the range of G's tanh output.
 * (The seed divides by 255 into [0, 1], which a tanh generator can only half cover: a deliberate deviation.)
 */
public final class ImageTensors {
    private ImageTensors() {}

    public static INDArray toTensor(List<byte[]> images) {
        float[] values = new float[images.size() * CifarFormat.IMAGE_BYTES];
        int i = 0;
        for (byte[] image : images) {
            if (image.length != CifarFormat.IMAGE_BYTES) {
                throw new BadInputException("image has " + image.length + " bytes, expected " + CifarFormat.IMAGE_BYTES);
            }
            for (byte b : image) values[i++] = (b & 0xff) / 127.5f - 1f;
        }
        return Nd4j.create(values, new long[]{images.size(), CifarFormat.CHANNELS, CifarFormat.SIDE, CifarFormat.SIDE},
                DataType.FLOAT);
    }
}
