package org.sparkgan.train.spark;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;

/**
 * G and D as plain values, which is what the driver broadcasts each round: per network its configuration JSON (which
 * carries the iteration count), flat parameters and flat RMSprop state.
 * <p>Never a live INDArray: Spark 3.5 closes AutoCloseable broadcast values when it drops the block, and an INDArray
 * is AutoCloseable (the driver crashed with "DataBuffer was released" or SIGSEGV when dl4j-spark broadcast one).
 * Plain float arrays rather than DL4J's ModelSerializer zip: for the seed preset, writing the zip took 1.6 s per round
 * and reading it 0.4 s per worker; these arrays take about 0.2 s each way.
 */
public record NetworkState(Network generator, Network discriminator) implements Serializable {

    /** One network's configuration, parameters and updater state. */
    public record Network(String configuration, float[] parameters, float[] updaterState) implements Serializable {
        static Network of(MultiLayerNetwork net) {
            return new Network(net.getLayerWiseConfigurations().toJson(), net.params().toFloatVector(),
                    net.getUpdater().getStateViewArray().toFloatVector());
        }

        MultiLayerNetwork restore() {
            MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configuration));
            net.init(Nd4j.createFromArray(parameters).reshape(1, parameters.length), false);
            net.getUpdater().getStateViewArray().assign(Nd4j.createFromArray(updaterState)
                    .reshape(net.getUpdater().getStateViewArray().shape()));
            return net;
        }
    }

    public static NetworkState of(MultiLayerNetwork g, MultiLayerNetwork d) {
        return new NetworkState(Network.of(g), Network.of(d));
    }

    public MultiLayerNetwork restoreGenerator() {
        return generator.restore();
    }

    public MultiLayerNetwork restoreDiscriminator() {
        return discriminator.restore();
    }
}
