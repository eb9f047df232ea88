package org.sparkgan.model;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class KerasRmsPropTest {
    private static final double LR = 0.01, RHO = 0.9, EPS = 1e-7;

    @Test
    void updatesAsKerasFromAZeroState() {
        INDArray state = Nd4j.create(DataType.DOUBLE, 1, 3);
        GradientUpdater updater = new KerasRmsProp(LR, RHO, EPS).instantiate(state, true);
        assertEquals(0, state.sumNumber().doubleValue(), "Keras' state starts at 0 (DL4J's RmsProp: at epsilon)");
        double[] v = new double[3];
        double[][] gradients = {{1e-4, -0.5, 1e-9}, {2e-4, 0.3, -1e-9}};
        for (double[] g : gradients) {
            INDArray update = Nd4j.create(g, new long[]{1, 3}, DataType.DOUBLE);
            updater.applyUpdater(update, 0, 0);
            double[] expected = new double[3];
            for (int i = 0; i < 3; i++) {
                v[i] = RHO * v[i] + (1 - RHO) * g[i] * g[i];
                expected[i] = LR * g[i] / (Math.sqrt(v[i]) + EPS);
            }
            assertArrayEquals(expected, update.toDoubleVector(), 1e-12);
        }
    }

    @Test
    void survivesTheConfigurationJsonWithTheClipping() {
        OptimizerConfig o = new OptimizerConfig(0.0008, 0.0004, 0.9, 1e-7, 0.5);
        MultiLayerConfiguration g = Dcgan.generator(new ModelConfig(4, 4, 4, 4, 0.3, 0.0), o, 1).getLayerWiseConfigurations();
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(g.toJson());
        for (int i = 0; i < restored.getConfs().size(); i++) {
            BaseLayer layer = (BaseLayer) restored.getConf(i).getLayer();
            assertInstanceOf(KerasRmsProp.class, layer.getIUpdater(), "layer " + i);
            assertEquals(GradientNormalization.ClipElementWiseAbsoluteValue, layer.getGradientNormalization(), "layer " + i);
            assertEquals(0.5, layer.getGradientNormalizationThreshold(), "layer " + i);
        }
    }
}
