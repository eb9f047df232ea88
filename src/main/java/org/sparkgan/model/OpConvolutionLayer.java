package org.sparkgan.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The runtime layer of {@link OpConvolution}. DL4J 1.0.0-M2's SameDiffLayer returns exactly twice the true
 * gradients — for the parameters and for the layer input alike, whatever the activation (measured against
 * ConvolutionLayer and a directional finite difference; see DcganTest). This layer halves both, in place, so
 * gradient clipping and the updates are those of the plain layers.
 */
final class OpConvolutionLayer extends SameDiffLayer {
    OpConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        Pair<Gradient, INDArray> result = super.backpropGradient(epsilon, workspaceMgr);
        for (INDArray g : result.getFirst().gradientForVariable().values()) g.muli(0.5);
        result.getSecond().muli(0.5);
        return result;
    }
}
