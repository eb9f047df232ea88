package org.sparkgan.model;

/**
 * RMSprop as the seed uses it (Keras defaults rho 0.9, epsilon 1e-7), every gradient value clipped to ±clip.
 */
public record OptimizerConfig(double discriminatorLearningRate, double generatorLearningRate, double rho,
                              double epsilon, double clipValue) {
    public OptimizerConfig {
        if (!(discriminatorLearningRate > 0)) throw new IllegalArgumentException("d-lr must be positive, got " + discriminatorLearningRate);
        if (!(generatorLearningRate > 0)) throw new IllegalArgumentException("g-lr must be positive, got " + generatorLearningRate);
        if (!(rho > 0 && rho < 1)) throw new IllegalArgumentException("rho must be in (0, 1), got " + rho);
        if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
        if (!(clipValue > 0)) throw new IllegalArgumentException("clip must be positive, got " + clipValue);
    }
}
