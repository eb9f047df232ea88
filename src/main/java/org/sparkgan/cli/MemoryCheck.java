package org.sparkgan.cli;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.sparkgan.BadInputException;
import org.sparkgan.model.Dcgan;
import org.sparkgan.train.TrainConfig;

/**
 * Refuses, before any work, a JVM whose off-heap limit (where ND4J keeps every array) is too small for the chosen
 * model: otherwise the run dies minutes later with an allocation error deep inside a convolution.
 */
final class MemoryCheck {
    private MemoryCheck() {}

    /**
     * A conservative estimate of ND4J's peak off-heap bytes for one training JVM, from the networks' configurations:
     * parameters, gradients and two RMSprop-sized copies of both networks (×4 floats), plus every layer output of G and
     * D and its gradient for 2·batch images, with im2col-style working memory (×3), plus the native libraries' own
     * working set.
     */
    static long estimateOffHeapBytes(TrainConfig c) {
        MultiLayerConfiguration g = Dcgan.generatorConfiguration(c.model(), c.optimizer(), 0, Dcgan.Convolutions.OPS);
        MultiLayerConfiguration d = Dcgan.discriminatorConfiguration(c.model(), c.optimizer(), 0, Dcgan.Convolutions.OPS);
        long params = 4L * 4 * (parameters(g) + parameters(d));
        long perImage = activations(g, Dcgan.generatorInput(c.model())) + activations(d, Dcgan.discriminatorInput(c.model()));
        long activations = 4L * 3 * 2 * c.batchSize() * perImage;
        return params + activations + 256L * 1024 * 1024;
    }

    private static long parameters(MultiLayerConfiguration conf) {
        long n = 0;
        for (NeuralNetConfiguration layer : conf.getConfs()) n += layer.getLayer().initializer().numParams(layer);
        return n;
    }

    private static long activations(MultiLayerConfiguration conf, InputType input) {
        long n = 0;
        for (InputType out : conf.getLayerActivationTypes(input)) n += out.arrayElementsPerExample();
        return n;
    }

    static void requireOffHeapFor(TrainConfig c) {
        requireOffHeapFor(c, Pointer.maxBytes());
    }

    /** @param limit the off-heap limit in bytes; 0 or less means none */
    static void requireOffHeapFor(TrainConfig c, long limit) {
        long need = estimateOffHeapBytes(c);
        if (limit > 0 && limit < need) {
            throw new BadInputException(String.format("off-heap limit %,d MB is below the ~%,d MB that preset %s at "
                    + "batch %d needs: raise it with -Dorg.bytedeco.javacpp.maxbytes=%dm (or a larger -Xmx, which "
                    + "sets the default)", limit >> 20, need >> 20, c.preset(), c.batchSize(), (need >> 20) * 2));
        }
    }
}
