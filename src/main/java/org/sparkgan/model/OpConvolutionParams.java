package org.sparkgan.model;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters of an {@link OpConvolution}: the kernel, then one bias per filter, as 'c'-order views of the network's
 * flat parameter (and gradient) array. Kernels start Glorot-uniform over (in + out)·k², biases at 0, as in Keras.
 */
final class OpConvolutionParams implements ParamInitializer {
    static final OpConvolutionParams INSTANCE = new OpConvolutionParams();

    private OpConvolutionParams() {}

    private static OpConvolution conv(Layer layer) {
        return (OpConvolution) layer;
    }

    private static long weightCount(OpConvolution c) {
        long n = 1;
        for (long d : c.weightShape()) n *= d;
        return n;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return weightCount(conv(layer)) + conv(layer).getNOut();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return List.of(OpConvolution.WEIGHT, OpConvolution.BIAS);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of(OpConvolution.WEIGHT);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of(OpConvolution.BIAS);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return OpConvolution.WEIGHT.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return OpConvolution.BIAS.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        OpConvolution c = conv(conf.getLayer());
        Map<String, INDArray> params = views(c, paramsView);
        if (initializeParams) {
            long[] k = c.weightShape();
            double fans = (double) (c.getNIn() + c.getNOut()) * k[0] * k[1];
            double limit = Math.sqrt(6.0 / fans);
            INDArray w = params.get(OpConvolution.WEIGHT);
            w.assign(Nd4j.rand(DataType.FLOAT, w.shape()).muli(2 * limit).subi(limit));
            params.get(OpConvolution.BIAS).assign(0);
        }
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conv(conf.getLayer()), gradientView);
    }

    private static Map<String, INDArray> views(OpConvolution c, INDArray flat) {
        INDArray row = flat.reshape(flat.length());
        long w = weightCount(c);
        Map<String, INDArray> views = new LinkedHashMap<>();
        views.put(OpConvolution.WEIGHT, row.get(NDArrayIndex.interval(0, w)).reshape('c', c.weightShape()));
        views.put(OpConvolution.BIAS, row.get(NDArrayIndex.interval(w, w + c.getNOut())));
        return views;
    }
}
