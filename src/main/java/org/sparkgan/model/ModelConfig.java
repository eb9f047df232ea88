package org.sparkgan.model;

/**
 * The shape of the DCGAN (Keras semantics, Deep Learning with Python §8.5).
 *
 * @param latentDim             size of G's Gaussian input (the book: 32)
 * @param generatorDenseChannels channels of the 16×16 map that G's Dense layer is reshaped to (the book: 128)
 * @param generatorFilters      filters of every G convolution but the last (the book: 256)
 * @param discriminatorFilters  filters of every D convolution (the book: 128)
 * @param leakyAlpha            LeakyReLU slope (Keras' default: 0.3)
 * @param dropoutRate           fraction D's dropout drops before its Dense layer (the book: 0.4)
 * @param resolution            the side of the square images, 32 (the book's CIFAR-10) times a power of two: each
 *                              doubling adds one stride-2 stage to G and to D
 */
public record ModelConfig(int latentDim, int generatorDenseChannels, int generatorFilters, int discriminatorFilters,
                          double leakyAlpha, double dropoutRate, int resolution) {
    /** The book's 32×32 model. */
    public ModelConfig(int latentDim, int generatorDenseChannels, int generatorFilters, int discriminatorFilters,
                       double leakyAlpha, double dropoutRate) {
        this(latentDim, generatorDenseChannels, generatorFilters, discriminatorFilters, leakyAlpha, dropoutRate,
                Dcgan.SIDE);
    }

    public ModelConfig {
        positive("latent-dim", latentDim);
        positive("g-dense-channels", generatorDenseChannels);
        positive("g-filters", generatorFilters);
        positive("d-filters", discriminatorFilters);
        if (!(leakyAlpha >= 0 && leakyAlpha < 1)) throw new IllegalArgumentException("leaky-alpha must be in [0, 1)");
        if (!(dropoutRate >= 0 && dropoutRate < 1)) throw new IllegalArgumentException("dropout must be in [0, 1)");
        if (resolution < Dcgan.SIDE || resolution % Dcgan.SIDE != 0 || Integer.bitCount(resolution / Dcgan.SIDE) != 1) {
            throw new IllegalArgumentException("resolution must be 32 times a power of two (32, 64, ...), got "
                    + resolution);
        }
    }

    /** Stride-2 stages beyond the book's: one per doubling of the side above 32. */
    public int extraStages() {
        return Integer.numberOfTrailingZeros(resolution / Dcgan.SIDE);
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }
}
