package org.sparkgan.model;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

public class Scratch {
    static MultiLayerNetwork net(Layer first) {
        var conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).list()
                .layer(first)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(8, 8, 2)).build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    public static void main(String[] a) {
        for (String act : new String[]{"identity", "tanh", "leakyrelu"}) {
            MultiLayerNetwork ref = net(new ConvolutionLayer.Builder(3, 3).nIn(2).nOut(4).convolutionMode(ConvolutionMode.Same)
                    .activation(act.equals("identity") ? Activation.IDENTITY : act.equals("tanh") ? Activation.TANH : Activation.LEAKYRELU).build());
            MultiLayerNetwork ops = net(OpConvolution.conv(2, 4, 3, 1, true, act, 0.01));
            ops.getLayer(0).getParam("W").assign(ref.getLayer(0).getParam("W").permute(2, 3, 1, 0));
            ops.getLayer(0).getParam("b").assign(ref.getLayer(0).getParam("b").reshape(4));
            ops.getLayer(1).getParam("W").assign(ref.getLayer(1).getParam("W"));
            INDArray x = Nd4j.rand(DataType.FLOAT, 3, 2, 8, 8), y = Nd4j.rand(DataType.FLOAT, 3, 1);
            var gr = ref.calculateGradients(x, y, null, null);
            var go = ops.calculateGradients(x, y, null, null);
            System.out.println(act + " out diff " + ref.output(x).sub(ops.output(x)).amaxNumber()
                    + " W ratio " + go.getFirst().getGradientFor("0_W").norm2Number().doubleValue() / gr.getFirst().getGradientFor("0_W").norm2Number().doubleValue()
                    + " eps ratio " + go.getSecond().norm2Number().doubleValue() / gr.getSecond().norm2Number().doubleValue()
                    + " outW ratio " + go.getFirst().getGradientFor("1_W").norm2Number().doubleValue() / gr.getFirst().getGradientFor("1_W").norm2Number().doubleValue());
        }
    }
}
