package org.sparkgan.model;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.sparkgan.model.DcganTest.assertClose;
import static org.sparkgan.model.DcganTest.toOpsLayout;

/**
 * One {@link OpConvolution} against the DL4J layer it replaces, over kernel/stride shapes beyond the DCGAN's own:
 * output, input gradient and parameter gradients. For transposed convolutions this covers phase layouts where the
 * phase slots are permuted (kernel 6, stride 2) and where each phase has one tap.
 */
class OpConvolutionTest {
    private static final ActivationLReLU LRELU = new ActivationLReLU(0.3);

    @AfterAll
    static void printLargestError() {
        DcganTest.printLargestError(OpConvolutionTest.class);
    }

    @ParameterizedTest(name = "transposed kernel {0} stride {1}")
    @CsvSource({"4, 2", "6, 2", "2, 2", "3, 3", "9, 3"})
    void transposedConvolutionMatchesDeconvolution2D(int kernel, int stride) {
        compare(OpConvolution.transposed(3, 5, kernel, stride, LRELU),
                new Deconvolution2D.Builder().nIn(3).nOut(5).kernelSize(kernel, kernel).stride(stride, stride)
                        .convolutionMode(ConvolutionMode.Same).activation(LRELU).build());
    }

    @ParameterizedTest(name = "convolution kernel {0} stride {1} same {2}")
    @CsvSource({"5, 1, true", "3, 1, false", "4, 2, false", "3, 2, true"})
    void convolutionMatchesConvolutionLayer(int kernel, int stride, boolean same) {
        compare(OpConvolution.conv(3, 5, kernel, stride, same, LRELU),
                new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nIn(3).nOut(5)
                        .convolutionMode(same ? ConvolutionMode.Same : ConvolutionMode.Truncate).activation(LRELU).build());
    }

    @ParameterizedTest(name = "kernel {0} stride {1}")
    @CsvSource({"3, 2", "5, 3", "6, 3"})
    void refusesTransposedShapesWithoutAPhaseForm(int kernel, int stride) {
        assertThrows(IllegalArgumentException.class, () -> OpConvolution.transposed(3, 5, kernel, stride, LRELU));
    }

    private static void compare(Layer ops, Layer reference) {
        MultiLayerNetwork o = single(ops), r = single(reference);
        INDArray w = r.getLayer(0).getParam("W");
        o.getLayer(0).getParam("W").assign(toOpsLayout(r.getLayer(0), w));
        o.getLayer(0).getParam("b").assign(r.getLayer(0).getParam("b").reshape(o.getLayer(0).getParam("b").shape()));

        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 7, 7);
        INDArray expected = r.output(x, false), actual = o.output(x, false);
        assertArrayEquals(expected.shape(), actual.shape());
        assertClose(expected, actual, "forward");

        INDArray epsilon = Nd4j.randn(DataType.FLOAT, expected.shape());
        var refGrad = backprop(r, x, epsilon);
        var opsGrad = backprop(o, x, epsilon);
        assertClose(refGrad.input, opsGrad.input, "input gradient");
        assertClose(toOpsLayout(r.getLayer(0), refGrad.gradient.getGradientFor("0_W")),
                opsGrad.gradient.getGradientFor("0_W"), "kernel gradient");
        assertClose(refGrad.gradient.getGradientFor("0_b").reshape(-1), opsGrad.gradient.getGradientFor("0_b").reshape(-1),
                "bias gradient");
    }

    private record Backprop(Gradient gradient, INDArray input) {}

    private static Backprop backprop(MultiLayerNetwork net, INDArray x, INDArray epsilon) {
        net.setInput(x);
        net.feedForward(true, false);
        var result = net.backpropGradient(epsilon, LayerWorkspaceMgr.noWorkspaces());
        return new Backprop(result.getFirst(), result.getSecond());
    }

    private static MultiLayerNetwork single(Layer layer) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .list().layer(layer).setInputType(InputType.convolutional(7, 7, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
