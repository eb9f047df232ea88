package org.sparkgan.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The FLOP count behind bench's GFLOP/s, read from the configurations, against the shapes that really flow through
 * built networks: each layer's weight array gives its kernel and channels, the activations its pixels.
 */
class FlopCountTest {
    @Test
    void generatorCountMatchesTheShapesThatFlow() {
        for (ModelConfig m : List.of(DcganTest.SEED, DcganTest.SMALL)) {
            MultiLayerNetwork g = Dcgan.generator(m, DcganTest.RMSPROP, 1);
            assertEquals(measured(g, Nd4j.randn(DataType.FLOAT, 1, m.latentDim())), FlopCount.generatorForward(m), 1, m.toString());
        }
    }

    @Test
    void discriminatorCountMatchesTheShapesThatFlow() {
        for (ModelConfig m : List.of(DcganTest.SEED, DcganTest.SMALL)) {
            MultiLayerNetwork d = Dcgan.discriminator(m, DcganTest.RMSPROP, 1);
            assertEquals(measured(d, Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32)), FlopCount.discriminatorForward(m), 1, m.toString());
        }
    }

    /** The book's model: ~7.74 GFLOP per generated image, ~0.64 TFLOP per iteration at batch 20 (the README's figures). */
    @Test
    void seedModelFigures() {
        assertEquals(7.74e9, FlopCount.generatorForward(DcganTest.SEED), 0.01e9);
        assertEquals(0.64e12, FlopCount.ganStep(DcganTest.SEED, 20, false).total(), 0.02e12);
        assertEquals(20 * FlopCount.generatorForward(DcganTest.SEED),
                FlopCount.ganStep(DcganTest.SEED, 20, false).total() - FlopCount.ganStep(DcganTest.SEED, 20, true).total(), 1e6);
    }

    /**
     * 2·(weights without bias)·(pixels) per layer, from one image's real activations: a convolution's weights
     * [out, in, k, k] touch every output pixel, a transposed one's every input pixel, a dense layer's once.
     */
    private static double measured(MultiLayerNetwork net, INDArray input) {
        List<INDArray> activations = net.feedForward(input, false); // [input, layer 0 output, layer 1 output, ...]
        double flops = 0;
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer layer = net.getLayer(i);
            INDArray w = layer.getParam("W");
            if (w == null) continue;
            INDArray in = activations.get(i), out = activations.get(i + 1);
            boolean transposed = layer.conf().getLayer() instanceof OpConvolution c && c.isTransposed();
            if (w.rank() == 4) {
                INDArray pixels = transposed ? in : out;
                flops += 2.0 * w.length() * pixels.size(2) * pixels.size(3);
            } else {
                flops += 2.0 * w.length();
            }
        }
        return flops;
    }
}
