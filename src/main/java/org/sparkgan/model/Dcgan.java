package org.sparkgan.model;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The generator and discriminator of the seed's Keras DCGAN as DL4J networks (NCHW, float32).
 * Keras 'same' is {@link ConvolutionMode#Same}, 'valid' is {@link ConvolutionMode#Truncate}; Keras' Glorot-uniform
 * initialisation is {@link WeightInit#XAVIER_UNIFORM}; biases start at 0 as in Keras; RMSprop is {@link KerasRmsProp}.
 */
public final class Dcgan {
    /** How the convolutions run: libnd4j ops (fast, the default) or DL4J's own layers (the reference). */
    public enum Convolutions { OPS, DL4J_LAYERS }

    /**
     * The book's images are 32×32 RGB; G's Dense layer is reshaped to a 16×16 map and upsampled once. Larger
     * resolutions ({@link ModelConfig#resolution()}) keep the 16×16 map and add one upsampling per doubling.
     */
    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    private static final int SEED_MAP = SIDE / 2;

    private Dcgan() {}

    /**
     * G: Dense(latent → c·16·16), LeakyReLU, reshape to c×16×16, Conv(f,5,same), LeakyReLU, ConvTranspose(f,4,stride 2,same),
     * LeakyReLU, Conv(f,5,same), LeakyReLU, Conv(f,5,same), LeakyReLU, Conv(3,7,same,tanh). Output in [-1, 1].
     * At 64×64 and above, one more ConvTranspose(f,4,stride 2,same) + LeakyReLU per doubling follows the first.
     */
    public static MultiLayerNetwork generator(ModelConfig m, OptimizerConfig o, long seed) {
        return generator(m, o, seed, Convolutions.OPS);
    }

    public static MultiLayerNetwork generator(ModelConfig m, OptimizerConfig o, long seed, Convolutions impl) {
        MultiLayerNetwork g = new MultiLayerNetwork(generatorConfiguration(m, o, seed, impl));
        g.init();
        return g;
    }

    /** G's configuration, for what is computed from the architecture without building it (FLOPs, memory). */
    public static MultiLayerConfiguration generatorConfiguration(ModelConfig m, OptimizerConfig o, long seed,
                                                                 Convolutions impl) {
        Convs c = new Convs(impl, m.leakyAlpha());
        int f = m.generatorFilters();
        NeuralNetConfiguration.ListBuilder layers = base(seed, o.generatorLearningRate(), o)
                .list()
                .layer(new DenseLayer.Builder().nIn(m.latentDim()).nOut((long) m.generatorDenseChannels() * SEED_MAP * SEED_MAP)
                        .activation(c.activation(false)).build())
                .inputPreProcessor(1, new FeedForwardToCnnPreProcessor(SEED_MAP, SEED_MAP, m.generatorDenseChannels()))
                .layer(c.conv(m.generatorDenseChannels(), f, 5, 1, true, false))
                .layer(c.upsample(f, f, 4, 2));
        for (int stage = 0; stage < m.extraStages(); stage++) layers.layer(c.upsample(f, f, 4, 2));
        return layers
                .layer(c.conv(f, f, 5, 1, true, false))
                .layer(c.conv(f, f, 5, 1, true, false))
                .layer(c.conv(f, CHANNELS, 7, 1, true, true))
                .build();
    }

    /** What G takes: one latent vector per example. */
    public static InputType generatorInput(ModelConfig m) {
        return InputType.feedForward(m.latentDim());
    }

    /** What D takes: RGB images at the model's resolution. */
    public static InputType discriminatorInput(ModelConfig m) {
        return InputType.convolutional(m.resolution(), m.resolution(), CHANNELS);
    }

    /**
     * D: Conv(f,3,valid), LeakyReLU, 3 × [Conv(f,4,stride 2,valid), LeakyReLU], Flatten, Dropout(rate), Dense(1, sigmoid),
     * binary cross-entropy. Its output is the probability that an image is FAKE (the seed labels fakes 1).
     * At 64×64 and above, one more Conv(f,4,stride 2,valid) + LeakyReLU per doubling, so the map D flattens stays 2×2.
     */
    public static MultiLayerNetwork discriminator(ModelConfig m, OptimizerConfig o, long seed) {
        return discriminator(m, o, seed, Convolutions.OPS);
    }

    public static MultiLayerNetwork discriminator(ModelConfig m, OptimizerConfig o, long seed, Convolutions impl) {
        MultiLayerNetwork d = new MultiLayerNetwork(discriminatorConfiguration(m, o, seed, impl));
        d.init();
        return d;
    }

    public static MultiLayerConfiguration discriminatorConfiguration(ModelConfig m, OptimizerConfig o, long seed,
                                                                     Convolutions impl) {
        Convs c = new Convs(impl, m.leakyAlpha());
        int f = m.discriminatorFilters();
        NeuralNetConfiguration.ListBuilder layers = base(seed, o.discriminatorLearningRate(), o)
                .list()
                .layer(c.conv(CHANNELS, f, 3, 1, false, false));
        for (int stage = 0; stage < 3 + m.extraStages(); stage++) layers.layer(c.conv(f, f, 4, 2, false, false));
        return layers
                // DL4J's dropout argument is the probability to KEEP an activation
                .layer(new DropoutLayer.Builder(1.0 - m.dropoutRate()).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nOut(1)
                        .activation(Activation.SIGMOID).build())
                .setInputType(discriminatorInput(m))
                .build();
    }

    private static NeuralNetConfiguration.Builder base(long seed, double learningRate, OptimizerConfig o) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(new KerasRmsProp(learningRate, o.rho(), o.epsilon()))
                .gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue)
                .gradientNormalizationThreshold(o.clipValue())
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
    }

    /** Builds the convolutions of one network with the chosen implementation. */
    private record Convs(Convolutions impl, double alpha) {
        Layer conv(int nIn, int nOut, int kernel, int stride, boolean same, boolean tanh) {
            if (impl == Convolutions.OPS) {
                return OpConvolution.conv(nIn, nOut, kernel, stride, same, activation(tanh));
            }
            return new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nIn(nIn).nOut(nOut)
                    .convolutionMode(same ? ConvolutionMode.Same : ConvolutionMode.Truncate)
                    .activation(activation(tanh)).build();
        }

        /** The DL4J baseline keeps ND4J's own LeakyReLU, so comparing the two also checks {@link LeakyRelu}. */
        IActivation activation(boolean tanh) {
            if (tanh) return Activation.TANH.getActivationFunction();
            return impl == Convolutions.OPS ? new LeakyRelu(alpha) : new ActivationLReLU(alpha);
        }

        Layer upsample(int nIn, int nOut, int kernel, int stride) {
            if (impl == Convolutions.OPS) return OpConvolution.transposed(nIn, nOut, kernel, stride, activation(false));
            return new Deconvolution2D.Builder().nIn(nIn).nOut(nOut).kernelSize(kernel, kernel).stride(stride, stride)
                    .convolutionMode(ConvolutionMode.Same).activation(activation(false)).build();
        }
    }
}
