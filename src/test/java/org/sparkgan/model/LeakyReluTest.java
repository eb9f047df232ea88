package org.sparkgan.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link LeakyRelu} against ND4J's own ActivationLReLU and against the definition, value by value. */
class LeakyReluTest {
    private static INDArray values() {
        Nd4j.getRandom().setSeed(3);
        return Nd4j.randn(DataType.FLOAT, 4, 5, 6, 7); // no exact zeros, where ND4J's slope is 1 and Keras' α
    }

    @Test
    void forwardEqualsNd4jsLeakyReluBitForBit() {
        INDArray z = values();
        INDArray expected = new ActivationLReLU(0.3).getActivation(z.dup(), true);
        assertEquals(expected, new LeakyRelu(0.3).getActivation(z.dup(), true));
        INDArray into = z.ulike();
        INDArray kept = z.dup();
        assertEquals(expected, new LeakyRelu(0.3).activate(z, into));
        assertEquals(kept, z, "activate leaves its input alone");
        for (long i = 0; i < z.length(); i++) {
            float x = z.getFloat(i);
            assertEquals(x > 0 ? x : 0.3f * x, expected.getFloat(i), 0f, "the definition at " + x);
        }
    }

    @Test
    void backwardEqualsNd4jsLeakyReluBitForBit() {
        INDArray z = values(), epsilon = Nd4j.rand(DataType.FLOAT, z.shape()).subi(0.5);
        INDArray expected = new ActivationLReLU(0.3).backprop(z.dup(), epsilon.dup()).getFirst();
        INDArray actual = new LeakyRelu(0.3).backprop(z.dup(), epsilon.dup()).getFirst();
        assertEquals(expected, actual);
        for (long i = 0; i < z.length(); i++) {
            float e = epsilon.getFloat(i);
            assertEquals(z.getFloat(i) > 0 ? e : 0.3f * e, actual.getFloat(i), 0f);
        }
    }

    /** Keras (TensorFlow's LeakyReluGrad) and PyTorch take the slope α at x = 0 exactly, and so at -0. */
    @Test
    void slopeAtZeroIsAlphaAsInKerasAndPyTorch() {
        INDArray z = Nd4j.createFromArray(-1f, -0f, 0f, Float.MIN_VALUE, -Float.MIN_VALUE, 2f);
        INDArray epsilon = Nd4j.createFromArray(1f, 1f, 1f, 1f, 1f, -3f);
        INDArray actual = new LeakyRelu(0.3).backprop(z, epsilon).getFirst();
        assertEquals(Nd4j.createFromArray(0.3f, 0.3f, 0.3f, 1f, 0.3f, -3f), actual);
    }

    @Test
    void slopeOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LeakyRelu(1.5));
        assertThrows(IllegalArgumentException.class, () -> new LeakyRelu(-0.1));
    }
}
