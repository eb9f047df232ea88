package org.sparkgan.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.RmsProp;

/**
 * RMSprop as Keras (and PyTorch) compute it: v = ρ·v + (1 − ρ)·g², p −= lr·g / (√v + ε), with v starting at 0.
 * DL4J's {@link RmsProp} computes the same update but starts v at ε. With ε = 1e-7 the leftover 0.9^t·ε outweighs
 * 0.1·g² for gradient values below 1e-3, which made early updates of such values several times smaller than Keras'
 * (PyTorchReferenceTest: the first update of a kernel off by 18-35% in D and 86-93% in G).
 */
public class KerasRmsProp extends RmsProp {
    /** For JSON deserialisation: DL4J stores the updater inside every layer's configuration. */
    public KerasRmsProp() {}

    public KerasRmsProp(double learningRate, double rho, double epsilon) {
        super(learningRate, rho, epsilon);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        GradientUpdater updater = super.instantiate(viewArray, initializeViewArray);
        if (initializeViewArray) viewArray.assign(0);
        return updater;
    }

    @Override
    public KerasRmsProp clone() {
        KerasRmsProp copy = new KerasRmsProp(getLearningRate(), getRmsDecay(), getEpsilon());
        copy.setLearningRateSchedule(getLearningRateSchedule());
        return copy;
    }
}
