package org.sparkgan.train.spark;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * G and D as bytes — configuration, parameters and RMSprop state — which is what the driver broadcasts each round.
 * Never a live INDArray: Spark 3.5 closes AutoCloseable broadcast values when it drops the block, and an INDArray is
 * AutoCloseable (the driver crashed with "DataBuffer was released" or SIGSEGV when dl4j-spark broadcast one).
 */
public record NetworkBytes(byte[] generator, byte[] discriminator) implements Serializable {

    public static NetworkBytes of(MultiLayerNetwork g, MultiLayerNetwork d) {
        return new NetworkBytes(write(g), write(d));
    }

    public MultiLayerNetwork restoreGenerator() {
        return read(generator);
    }

    public MultiLayerNetwork restoreDiscriminator() {
        return read(discriminator);
    }

    private static byte[] write(MultiLayerNetwork net) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, out, true); // with the updater: workers continue the RMSprop state
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MultiLayerNetwork read(byte[] bytes) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
