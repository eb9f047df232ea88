package org.sparkgan.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import org.deeplearning4j.optimize.api.TrainingListener;

import java.util.Collection;
import java.util.Map;

/**
 * A 2-D convolution (or transposed convolution) with its activation, run as libnd4j ops inside a
 * MultiLayerNetwork. DL4J 1.0.0-M2's own ConvolutionLayer never reaches oneDNN and ran 25-90× slower here than the
 * {@code conv2d} op on the same shapes; this layer has the same parameters (a kernel and a bias per filter) and
 * the same Keras semantics, and a test checks it against the plain DL4J layers.
 * <p>Kernel layout: [kH, kW, in, out] for a convolution, [kH, kW, out, in] for a transposed one (libnd4j's).
 * Initialisation: Glorot uniform, zero bias (Keras' defaults). Fields have setters because DL4J stores layer
 * configurations as JSON inside every saved model.
 */
public class OpConvolution extends SameDiffLayer {
    public static final String WEIGHT = "W";
    public static final String BIAS = "b";

    private long nIn;
    private long nOut;
    private int kernel;
    private int stride;
    private boolean same;
    private boolean transposed;
    private String activation; // "leakyrelu" or "tanh"
    private double alpha;

    /** For JSON deserialisation. */
    public OpConvolution() {}

    public static OpConvolution conv(long nIn, long nOut, int kernel, int stride, boolean same, String activation, double alpha) {
        return of(nIn, nOut, kernel, stride, same, false, activation, alpha);
    }

    public static OpConvolution transposed(long nIn, long nOut, int kernel, int stride, String activation, double alpha) {
        return of(nIn, nOut, kernel, stride, true, true, activation, alpha);
    }

    private static OpConvolution of(long nIn, long nOut, int kernel, int stride, boolean same, boolean transposed,
                                    String activation, double alpha) {
        if (!activation.equals("leakyrelu") && !activation.equals("tanh")) {
            throw new IllegalArgumentException("activation must be leakyrelu or tanh, got " + activation);
        }
        OpConvolution c = new OpConvolution();
        c.nIn = nIn;
        c.nOut = nOut;
        c.kernel = kernel;
        c.stride = stride;
        c.same = same;
        c.transposed = transposed;
        c.activation = activation;
        c.alpha = alpha;
        return c;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable z;
        if (transposed) {
            z = transposedAsConvolution(sd, input, params.get(WEIGHT), params.get(BIAS));
        } else {
            z = sd.cnn().conv2d(input, params.get(WEIGHT), params.get(BIAS), Conv2DConfig.builder()
                    .kH(kernel).kW(kernel).sH(stride).sW(stride)
                    .paddingMode(same ? PaddingMode.SAME : PaddingMode.VALID).dataFormat("NCHW").build());
        }
        return activation.equals("tanh") ? sd.math().tanh(z) : sd.nn().leakyRelu(z, alpha);
    }

    /**
     * The transposed convolution ('same', stride s) as an ordinary convolution, which reaches oneDNN: libnd4j's
     * deconv2d op took ~40% of G's forward time here for ~7% of its FLOPs. The input is spread out — s−1 zeros between
     * pixels — and padded in one step, a multiplication by a constant 0/1 matrix on each side (differentiable, unlike
     * M2's pad op here), then convolved (stride 1, 'valid') with the kernel flipped in space and in/out swapped. The
     * padding reproduces deconv2d's own 'same' alignment; DcganTest checks it against DL4J's Deconvolution2D.
     */
    private SDVariable transposedAsConvolution(SameDiff sd, SDVariable input, SDVariable weight, SDVariable bias) {
        long[] shape = input.getShape(); // [-1, C, H, W], square
        long c = shape[1], side = shape[2];
        int before = kernel - 1 - (kernel - stride) / 2;
        int after = kernel - 1 - (kernel - stride + 1) / 2;
        long spread = (side - 1) * stride + 1 + before + after;
        float[][] place = new float[(int) side][(int) spread]; // pixel i goes to row before + s·i
        for (int i = 0; i < side; i++) place[i][before + stride * i] = 1f;
        SDVariable p = sd.constant(Nd4j.create(place));
        SDVariable x = sd.mmul(sd.reshape(input, -1, side), p);                   // spread along W: [B·C·H, W']
        x = sd.permute(sd.reshape(x, -1, c, side, spread), 0, 1, 3, 2);           // [B, C, W', H]
        x = sd.mmul(sd.reshape(x, -1, side), p);                                  // spread along H: [B·C·W', H']
        x = sd.permute(sd.reshape(x, -1, c, spread, spread), 0, 1, 3, 2);         // [B, C, H', W']
        SDVariable flipped = sd.permute(sd.reverse(weight, 0, 1), 0, 1, 3, 2);    // [kH, kW, in, out]
        return sd.cnn().conv2d(x, flipped, bias, Conv2DConfig.builder().kH(kernel).kW(kernel).sH(1).sW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        OpConvolutionLayer layer = new OpConvolutionLayer(conf, networkDataType);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
        params.addWeightParam(WEIGHT, kernel, kernel, transposed ? nOut : nIn, transposed ? nIn : nOut);
        params.addBiasParam(BIAS, nOut);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        double fanIn = (double) nIn * kernel * kernel, fanOut = (double) nOut * kernel * kernel;
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        INDArray w = params.get(WEIGHT);
        w.assign(Nd4j.rand(DataType.FLOAT, w.shape()).muli(2 * limit).subi(limit));
        params.get(BIAS).assign(0);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) inputType;
        return InputType.convolutional(outSize(in.getHeight()), outSize(in.getWidth()), nOut);
    }

    private long outSize(long in) {
        if (transposed) return in * stride;
        return same ? (in + stride - 1) / stride : (in - kernel) / stride + 1;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn <= 0 || override) nIn = ((InputType.InputTypeConvolutional) inputType).getChannels();
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
    public String getActivation() { return activation; }
    public void setActivation(String activation) { this.activation = activation; }
    public double getAlpha() { return alpha; }
    public void setAlpha(double alpha) { this.alpha = alpha; }
}
