package org.sparkgan.model;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * The network's element-wise gradient clipping, with its threshold, reaches the kernel and the bias of the op-based
 * convolutions (it once reached only DL4J's own layers: an OpConvolution kept BaseLayer's None and 1.0).
 */
class GradientClippingTest {
    private static final double CLIP = 0.01;
    private static final int BATCH = 5;

    @ParameterizedTest(name = "transposed {0}")
    @ValueSource(booleans = {false, true})
    void clipsTheBatchMeanGradientOfKernelAndBias(boolean transposed) {
        ActivationLReLU lrelu = new ActivationLReLU(0.3);
        OpConvolution conv = transposed ? OpConvolution.transposed(2, 3, 4, 2, lrelu) : OpConvolution.conv(2, 3, 3, 1, true, lrelu);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE)
                .updater(new Sgd(1.0)) // the update is the clipped gradient itself
                .gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue)
                .gradientNormalizationThreshold(CLIP)
                .list()
                .layer(conv)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(4, 4, 2))
                .build());
        net.init();
        INDArray x = Nd4j.rand(DataType.DOUBLE, BATCH, 2, 4, 4), y = Nd4j.rand(DataType.DOUBLE, BATCH, 1).muli(10);
        // DL4J's gradients are batch sums; its updater divides by the batch size before clipping
        INDArray mean = net.calculateGradients(x, y, null, null).getFirst().gradient().div(BATCH).reshape(-1);
        INDArray before = net.params().dup();
        net.fit(x, y);
        INDArray update = before.sub(net.params()).reshape(-1);
        INDArray expected = Transforms.min(Transforms.max(mean, -CLIP), CLIP);

        long weights = net.getLayer(0).getParam("W").length(), biases = net.getLayer(0).getParam("b").length();
        for (String key : new String[]{"W", "b"}) {
            long from = key.equals("W") ? 0 : weights, to = key.equals("W") ? weights : weights + biases;
            assertTrue(Transforms.abs(mean.get(interval(from, to))).maxNumber().doubleValue() > CLIP,
                    key + ": the test needs gradient values beyond the clip");
            assertEquals(0, expected.get(interval(from, to)).sub(update.get(interval(from, to))).norm2Number().doubleValue(),
                    1e-12, key + " clipped to ±" + CLIP);
        }
    }
}
