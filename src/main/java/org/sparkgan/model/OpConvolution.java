package org.sparkgan.model;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

/**
 * A 2-D convolution (or 'same' transposed convolution) with its activation, run as libnd4j's {@code conv2d} and
 * {@code conv2d_bp} ops (oneDNN) inside a MultiLayerNetwork. DL4J 1.0.0-M2's own ConvolutionLayer never reaches
 * oneDNN and ran 25-90× slower here; this layer has the same parameters (a kernel and a bias per filter) and the same
 * Keras semantics, and DcganTest checks it against the plain DL4J layers.
 * <p>Kernel layout: [kH, kW, in, out] for a convolution, [kH, kW, out, in] for a transposed one (libnd4j's).
 * Initialisation: Glorot uniform, zero bias (Keras' defaults). Fields have setters because DL4J stores layer
 * configurations as JSON inside every saved model.
 */
public class OpConvolution extends BaseLayer {
    public static final String WEIGHT = "W";
    public static final String BIAS = "b";

    private long nIn;
    private long nOut;
    private int kernel;
    private int stride;
    private boolean same;
    private boolean transposed;

    /** For JSON deserialisation. */
    public OpConvolution() {}

    public static OpConvolution conv(long nIn, long nOut, int kernel, int stride, boolean same, IActivation activation) {
        return of(nIn, nOut, kernel, stride, same, false, activation);
    }

    /**
     * A 'same' transposed convolution: output side = input side × stride. Runs as stride² small convolutions
     * ({@link PhaseKernels}), which needs a kernel that is a multiple of the stride with an even overhang.
     */
    public static OpConvolution transposed(long nIn, long nOut, int kernel, int stride, IActivation activation) {
        if (kernel % stride != 0 || (kernel - stride) % 2 != 0) {
            throw new IllegalArgumentException("a transposed convolution needs a kernel that is a multiple of the "
                    + "stride with kernel - stride even, got kernel " + kernel + ", stride " + stride);
        }
        return of(nIn, nOut, kernel, stride, true, true, activation);
    }

    private static OpConvolution of(long nIn, long nOut, int kernel, int stride, boolean same, boolean transposed,
                                    IActivation activation) {
        OpConvolution c = new OpConvolution();
        c.nIn = nIn;
        c.nOut = nOut;
        c.kernel = kernel;
        c.stride = stride;
        c.same = same;
        c.transposed = transposed;
        c.setActivationFn(activation);
        // unset, as DL4J's layer builders leave them, so the network's gradient clipping applies: BaseLayer's
        // constructor sets None and 1.0, which the network configuration does not override
        c.setGradientNormalization(null);
        c.setGradientNormalizationThreshold(Double.NaN);
        return c;
    }

    /** The kernel's shape as stored: [kH, kW, in, out], or [kH, kW, out, in] when transposed. */
    long[] weightShape() {
        return transposed ? new long[]{kernel, kernel, nOut, nIn} : new long[]{kernel, kernel, nIn, nOut};
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        OpConvolutionLayer layer = new OpConvolutionLayer(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return OpConvolutionParams.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) inputType;
        return InputType.convolutional(outSize(in.getHeight()), outSize(in.getWidth()), nOut);
    }

    long outSize(long in) {
        if (transposed) return in * stride;
        return same ? (in + stride - 1) / stride : (in - kernel) / stride + 1;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn <= 0 || override) nIn = ((InputType.InputTypeConvolutional) inputType).getChannels();
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, getLayerName());
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        throw new UnsupportedOperationException("no memory report for " + getClass().getSimpleName());
    }

    public long getNIn() { return nIn; }
    public void setNIn(long nIn) { this.nIn = nIn; }
    public long getNOut() { return nOut; }
    public void setNOut(long nOut) { this.nOut = nOut; }
    public int getKernel() { return kernel; }
    public void setKernel(int kernel) { this.kernel = kernel; }
    public int getStride() { return stride; }
    public void setStride(int stride) { this.stride = stride; }
    public boolean isSame() { return same; }
    public void setSame(boolean same) { this.same = same; }
    public boolean isTransposed() { return transposed; }
    public void setTransposed(boolean transposed) { this.transposed = transposed; }
}
