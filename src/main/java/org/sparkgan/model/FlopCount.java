package org.sparkgan.model;

/**
 * Analytic floating-point operations of the DCGAN's forward passes (a multiply-add counts 2), per image, for
 * throughput figures. Convolutions: 2·k²·Cin·Cout per output pixel; the transposed convolution: 2·k²·Cin·Cout per
 * input pixel; Dense: 2·in·out. Activations, biases and the loss are ignored (under 1%).
 */
public final class FlopCount {
    private FlopCount() {}

    public static double generatorForward(ModelConfig m) {
        double c0 = m.generatorDenseChannels(), f = m.generatorFilters();
        double half = 16 * 16, full = 32 * 32;
        return 2 * m.latentDim() * c0 * half          // Dense to c0×16×16
                + 2 * 25 * c0 * f * half              // Conv 5×5 at 16×16
                + 2 * 16 * f * f * half               // ConvTranspose 4×4, stride 2: per input pixel
                + 2 * (2 * 25 * f * f * full)         // two Conv 5×5 at 32×32
                + 2 * 49 * f * 3 * full;              // Conv 7×7 to RGB
    }

    public static double discriminatorForward(ModelConfig m) {
        double f = m.discriminatorFilters();
        return 2 * 9 * 3 * f * 30 * 30                // Conv 3×3 valid: 32 → 30
                + 2 * 16 * f * f * (14 * 14 + 6 * 6 + 2 * 2)  // three Conv 4×4 stride 2: 30 → 14 → 6 → 2
                + 2 * f * 2 * 2;                      // Dense to 1
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
