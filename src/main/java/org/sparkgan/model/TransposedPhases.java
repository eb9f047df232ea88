package org.sparkgan.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * A 'same' transposed convolution (kernel k, stride s) as s² ordinary convolutions — the sub-pixel form.
 * <p>Output pixel o = s·m + r of a transposed convolution sums input pixels i with kernel taps t where
 * o = s·i + t − p, p = (k − s)/2. For each output phase r only k/s taps contribute, from k/s consecutive input
 * pixels starting at m − jMax(r). So each phase (r_h, r_w) of the output image is a (k/s)×(k/s) 'valid' convolution
 * of a window of the padded input, written by {@code conv2d} straight into the strided view of its output pixels;
 * the backward pass reads the same views and sums the phases' input gradients. libnd4j's own deconv2d ran at
 * ~23 GFLOP/s here, and a convolution over the zero-spread input does s² times the work; this form does exactly
 * the transposed convolution's work, at conv2d's speed.
 * <p>Kernels are [k, k, out, in] as stored by {@link OpConvolution}, phase kernels [k/s, k/s, in, out].
 */
final class TransposedPhases {
    private static final int NCHW = 0;
    private static final int KERNEL_HW_IN_OUT = 0;

    private final int kernel;
    private final int stride;
    /** Side of each phase's kernel: k/s. */
    private final int taps;
    /** Padding on every side of the input that holds every phase's window. */
    private final int padding;
    /** Counted from the kernel's far end, output phase r's taps are s·a + slot[r], a = 0..k/s−1. */
    private final int[] slot;
    /** Where output phase r's input window starts in the padded input. */
    private final int[] windowStart;

    TransposedPhases(int kernel, int stride) {
        this.kernel = kernel;
        this.stride = stride;
        this.taps = kernel / stride;
        int overhang = (kernel - stride) / 2;
        int[] jMax = new int[stride];
        int minOffset = Integer.MAX_VALUE, maxOffset = Integer.MIN_VALUE;
        slot = new int[stride];
        for (int r = 0; r < stride; r++) {
            jMax[r] = Math.floorDiv(kernel - 1 - r - overhang, stride);
            slot[r] = Math.floorMod(kernel - 1 - r - overhang, stride);
            minOffset = Math.min(minOffset, -jMax[r]);
            maxOffset = Math.max(maxOffset, -jMax[r]);
        }
        padding = Math.max(-minOffset, maxOffset + taps - 1);
        windowStart = new int[stride];
        for (int r = 0; r < stride; r++) windowStart[r] = -jMax[r] + padding;
    }

    /**
     * Writes the transposed convolution of {@code input} [B, in, side, side] plus bias into {@code image}
     * [B, out, s·side, s·side] ('c' order) and returns the phase kernels, which {@link #backward} takes back.
     */
    INDArray[] forward(INDArray input, INDArray weight, INDArray bias, INDArray image) {
        long side = input.size(2);
        INDArray padded = pad(input);
        INDArray[] phaseKernels = new INDArray[stride * stride];
        for (int rh = 0; rh < stride; rh++) {
            for (int rw = 0; rw < stride; rw++) {
                INDArray k = phaseKernels[rh * stride + rw] = phaseKernel(weight, rh, rw);
                Nd4j.exec(op("conv2d").addInputs(window(padded, rh, rw, side), k, bias)
                        .addOutputs(phase(image, rh, rw)).build());
            }
        }
        return phaseKernels;
    }

    /**
     * The gradients for {@link #forward}'s result gradient {@code imageGradient}: into {@code inputGradient},
     * {@code weightGradient} [k, k, out, in] and {@code biasGradient}.
     */
    void backward(INDArray input, INDArray[] phaseKernels, INDArray bias, INDArray imageGradient,
                  INDArray inputGradient, INDArray weightGradient, INDArray biasGradient) {
        long side = input.size(2);
        INDArray padded = pad(input);
        INDArray paddedGradient = padded.ulike().assign(0);
        INDArray phaseBiasGradient = bias.ulike();
        biasGradient.assign(0);
        for (int rh = 0; rh < stride; rh++) {
            for (int rw = 0; rw < stride; rw++) {
                INDArray k = phaseKernels[rh * stride + rw];
                INDArray windowGradient = Nd4j.createUninitialized(input.dataType(), input.size(0), input.size(1),
                        side + taps - 1, side + taps - 1);
                INDArray kernelGradient = k.ulike();
                Nd4j.exec(op("conv2d_bp").addInputs(window(padded, rh, rw, side), k, bias, phase(imageGradient, rh, rw))
                        .addOutputs(windowGradient, kernelGradient, phaseBiasGradient).build());
                window(paddedGradient, rh, rw, side).addi(windowGradient);
                forEachTap(rh, rw, (a, b, th, tw) -> weightGradient.get(point(th), point(tw), all(), all())
                        .assign(kernelGradient.get(point(a), point(b), all(), all()).transpose()));
                biasGradient.addi(phaseBiasGradient.reshape(biasGradient.shape()));
            }
        }
        inputGradient.assign(paddedGradient.get(all(), all(), interval(padding, padding + side),
                interval(padding, padding + side)));
    }

    /** Phase (r_h, r_w)'s kernel [k/s, k/s, in, out] from the stored [k, k, out, in] one. */
    private INDArray phaseKernel(INDArray weight, int rh, int rw) {
        INDArray k = Nd4j.createUninitialized(weight.dataType(), taps, taps, weight.size(3), weight.size(2));
        forEachTap(rh, rw, (a, b, th, tw) -> k.get(point(a), point(b), all(), all())
                .assign(weight.get(point(th), point(tw), all(), all()).transpose()));
        return k;
    }

    private INDArray pad(INDArray input) {
        return Nd4j.pad(input, new int[][]{{0, 0}, {0, 0}, {padding, padding}, {padding, padding}});
    }

    /** The padded input pixels that output phase (r_h, r_w) reads: a view. */
    private INDArray window(INDArray padded, int rh, int rw, long side) {
        return padded.get(all(), all(), span(rh, side), span(rw, side));
    }

    private INDArrayIndex span(int r, long side) {
        return interval(windowStart[r], windowStart[r] + side + taps - 1);
    }

    /** The pixels of phase (r_h, r_w) of an image [B, C, s·side, s·side] ('c' order): a strided view. */
    private INDArray phase(INDArray image, int rh, int rw) {
        long side = image.size(2) / stride;
        return image.reshape('c', image.size(0), image.size(1), side, stride, side, stride)
                .get(all(), all(), all(), point(rh), all(), point(rw));
    }

    private DynamicCustomOp.DynamicCustomOpsBuilder op(String name) {
        return DynamicCustomOp.builder(name).addIntegerArguments(taps, taps, 1, 1, 0, 0, 1, 1, 0, NCHW, KERNEL_HW_IN_OUT);
    }

    private interface TapVisitor {
        void visit(int a, int b, int th, int tw);
    }

    /** Visits phase (r_h, r_w)'s kernel positions (a, b) with the full kernel's tap (th, tw) they hold. */
    private void forEachTap(int rh, int rw, TapVisitor visitor) {
        for (int a = 0; a < taps; a++) {
            for (int b = 0; b < taps; b++) {
                visitor.visit(a, b, tap(rh, a), tap(rw, b));
            }
        }
    }

    private int tap(int r, int a) {
        return kernel - 1 - (stride * a + slot[r]);
    }
}
