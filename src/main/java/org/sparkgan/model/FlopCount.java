package org.sparkgan.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.List;

/**
 * Floating-point operations of the DCGAN's forward passes (a multiply-add counts 2), per image, for throughput
 * figures, read from the networks' own configurations and the shapes that flow through them: a convolution costs
 * 2·k²·Cin·Cout per output pixel, a transposed convolution 2·k²·Cin·Cout per input pixel, a dense layer 2·in·out.
 * Activations, biases, dropout and the loss are ignored (under 1%).
 */
public final class FlopCount {
    private FlopCount() {}

    private static final OptimizerConfig ANY_OPTIMIZER = new OptimizerConfig(1e-3, 1e-3, 0.9, 1e-7, 1);

    public static double generatorForward(ModelConfig m) {
        return forward(Dcgan.generatorConfiguration(m, ANY_OPTIMIZER, 0, Dcgan.Convolutions.OPS), Dcgan.generatorInput(m));
    }

    public static double discriminatorForward(ModelConfig m) {
        return forward(Dcgan.discriminatorConfiguration(m, ANY_OPTIMIZER, 0, Dcgan.Convolutions.OPS),
                Dcgan.discriminatorInput(m));
    }

    /** The forward FLOPs per example of a network whose input is {@code input}. */
    public static double forward(MultiLayerConfiguration conf, InputType input) {
        List<InputType> outputs = conf.getLayerActivationTypes(input);
        double flops = 0;
        for (int i = 0; i < outputs.size(); i++) {
            InputType in = i == 0 ? input : outputs.get(i - 1);
            if (conf.getInputPreProcess(i) != null) in = conf.getInputPreProcess(i).getOutputType(in);
            flops += layerForward(conf.getConf(i).getLayer(), in, outputs.get(i));
        }
        return flops;
    }

    private static double layerForward(Layer layer, InputType in, InputType out) {
        if (layer instanceof OpConvolution c) {
            return convolution(c.getKernel() * (double) c.getKernel(), c.getNIn(), c.getNOut(), c.isTransposed() ? in : out);
        }
        if (layer instanceof Deconvolution2D c) { // before ConvolutionLayer: it is one
            return convolution(c.getKernelSize()[0] * (double) c.getKernelSize()[1], c.getNIn(), c.getNOut(), in);
        }
        if (layer instanceof ConvolutionLayer c) {
            return convolution(c.getKernelSize()[0] * (double) c.getKernelSize()[1], c.getNIn(), c.getNOut(), out);
        }
        if (layer instanceof FeedForwardLayer f) return 2.0 * f.getNIn() * f.getNOut();
        return 0;
    }

    /** 2·k²·Cin·Cout for each pixel of {@code pixels} (the output map, or a transposed convolution's input map). */
    private static double convolution(double kernelArea, long nIn, long nOut, InputType pixels) {
        InputType.InputTypeConvolutional map = (InputType.InputTypeConvolutional) pixels;
        return 2 * kernelArea * nIn * nOut * map.getHeight() * map.getWidth();
    }

    /** One {@code GanStep} at batch B, by phase; a backward pass costs twice its forward pass. */
    public record Step(double fakes, double dStep, double gStep) {
        public double total() {
            return fakes + dStep + gStep;
        }
    }

    /** With {@code reuseFakes}, G's step backpropagates through the fakes' forward pass instead of running its own. */
    public static Step ganStep(ModelConfig m, int batch, boolean reuseFakes) {
        double g = generatorForward(m), d = discriminatorForward(m);
        return new Step(
                batch * g,                            // G forward for the fakes
                2 * batch * d + 3 * 2 * batch * d,    // D's accuracy pass, then its forward+backward on 2B images
                (reuseFakes ? 2 : 3) * batch * g + batch * d + 3 * batch * d); // G (fwd+)bwd, D's loss pass, D fwd+bwd
    }
}
