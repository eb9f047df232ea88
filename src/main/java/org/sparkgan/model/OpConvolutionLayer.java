package org.sparkgan.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The runtime layer of {@link OpConvolution}: forward is libnd4j's {@code conv2d}, backward its {@code conv2d_bp},
 * which writes the parameter gradients straight into the network's gradient views. A training forward pass keeps its
 * pre-activation for the backward pass (outside any workspace, so it outlives the forward pass's workspace), so
 * nothing is computed twice.
 */
final class OpConvolutionLayer extends BaseLayer<OpConvolution> {
    private static final int NCHW = 0;
    private static final int KERNEL_HW_IN_OUT = 0; // libnd4j's weight format 0: [kH, kW, in, out]

    private final TransposedPhases phases;
    private INDArray preActivation;
    private final Map<String, INDArray> buffers = new HashMap<>();
    /** The phase form of a transposed convolution's kernel, from the forward pass, for the backward pass. */
    private INDArray phaseKernel;

    OpConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        OpConvolution c = (OpConvolution) conf.getLayer();
        phases = c.isTransposed() ? new TransposedPhases(c.getKernel(), c.getStride()) : null;
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        IActivation activation = layerConf().getActivationFn();
        if (!training) {
            INDArray z = preActivate(shape -> workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, shape, 'c'));
            preActivation = null;
            phaseKernel = null;
            return activation.getActivation(z, false);
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) { // kept for backprop
            preActivation = preActivate(shape -> buffer("pre-activation", shape));
        }
        if (activation instanceof LeakyRelu lrelu) { // straight into the activations' array: no copy first
            return lrelu.activate(preActivation,
                    workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, preActivation.shape(), 'c'));
        }
        return activation.getActivation(workspaceMgr.dup(ArrayType.ACTIVATIONS, preActivation), true);
    }

    /**
     * A detached array for a training pass, reused across steps: fresh native memory costs a page fault per 4 KB,
     * which was a measurable part of a step. One per use and shape (D sees two batch sizes).
     */
    private INDArray buffer(String use, long[] shape) {
        return buffers.computeIfAbsent(use + Arrays.toString(shape), key -> {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return Nd4j.createUninitialized(dataType, shape);
            }
        });
    }

    /** The convolution plus bias, in an array from {@code allocate}. */
    private INDArray preActivate(Function<long[], INDArray> allocate) {
        OpConvolution c = layerConf();
        long batch = input.size(0), side = input.size(2);
        INDArray weight = getParam(OpConvolution.WEIGHT);
        INDArray bias = getParam(OpConvolution.BIAS);
        if (phases == null) {
            long outSide = c.outSize(side);
            INDArray z = allocate.apply(new long[]{batch, c.getNOut(), outSide, outSide});
            Nd4j.exec(op("conv2d", c.getKernel(), c.getStride(), 0, c.isSame())
                    .addInputs(input, weight, bias).addOutputs(z).build());
            return z;
        }
        INDArray y = buffer("phase output", phases.convolvedShape(input, c.getNOut())); // read once, by interleave
        phaseKernel = phases.kernel(weight);
        Nd4j.exec(phaseOp("conv2d").addInputs(input, phaseKernel, phases.bias(bias)).addOutputs(y).build());
        INDArray z = allocate.apply(new long[]{batch, c.getNOut(), c.outSize(side), c.outSize(side)});
        phases.interleave(y, side, z);
        return z;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (preActivation == null) {
            throw new IllegalStateException("backpropGradient without a training forward pass (layer " + layerId() + ")");
        }
        INDArray dz = layerConf().getActivationFn().backprop(preActivation, epsilon).getFirst();
        preActivation = null;
        INDArray weightGradient = gradientViews.get(OpConvolution.WEIGHT), biasGradient = gradientViews.get(OpConvolution.BIAS);
        INDArray inputGradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
        if (phases == null) {
            OpConvolution c = layerConf();
            Nd4j.exec(op("conv2d_bp", c.getKernel(), c.getStride(), 0, c.isSame())
                    .addInputs(input, getParam(OpConvolution.WEIGHT), getParam(OpConvolution.BIAS), dz)
                    .addOutputs(inputGradient, weightGradient, biasGradient).build());
        } else {
            INDArray phaseBias = phases.bias(getParam(OpConvolution.BIAS));
            INDArray phaseKernelGradient = phaseKernel.ulike(), phaseBiasGradient = phaseBias.ulike();
            INDArray phaseGradient = buffer("phase gradient", phases.convolvedShape(input, layerConf().getNOut()));
            phases.scatter(dz, input.size(2), phaseGradient);
            Nd4j.exec(phaseOp("conv2d_bp").addInputs(input, phaseKernel, phaseBias, phaseGradient)
                    .addOutputs(inputGradient, phaseKernelGradient, phaseBiasGradient).build());
            phases.foldKernelGradient(phaseKernelGradient, weightGradient);
            phases.foldBiasGradient(phaseBiasGradient, biasGradient);
            phaseKernel = null;
        }
        Gradient gradient = new DefaultGradient(gradientsFlattened);
        gradient.gradientForVariable().put(OpConvolution.WEIGHT, weightGradient);
        gradient.gradientForVariable().put(OpConvolution.BIAS, biasGradient);
        return new Pair<>(gradient, backpropDropOutIfPresent(inputGradient));
    }

    private DynamicCustomOp.DynamicCustomOpsBuilder phaseOp(String name) {
        return op(name, phases.taps, 1, phases.padding, false);
    }

    private static DynamicCustomOp.DynamicCustomOpsBuilder op(String name, int kernel, int stride, int padding, boolean same) {
        return DynamicCustomOp.builder(name).addIntegerArguments(kernel, kernel, stride, stride, padding, padding, 1, 1,
                same ? 1 : 0, NCHW, KERNEL_HW_IN_OUT);
    }

    @Override
    public void clear() {
        super.clear();
        preActivation = null;
        phaseKernel = null;
    }
}
