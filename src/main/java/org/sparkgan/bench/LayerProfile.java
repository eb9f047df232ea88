package org.sparkgan.bench;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.model.Dcgan;
import org.sparkgan.model.OpConvolution;
import org.sparkgan.train.TrainConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a training step's time goes, layer by layer: each layer of G (on a batch of latents) and of D (on 2×batch
 * images, as in D's step) is run forward in training mode and backward on its own, and timed. FLOPs per layer come
 * from the shapes that actually flow (a multiply-add is 2; backward counts twice its forward), so GFLOP/s shows which
 * layers run near the convolution kernels' speed and which do not.
 */
final class LayerProfile {
    private LayerProfile() {}

    static Bench.Report run(TrainConfig c, Dcgan.Convolutions layers, int warmup, int iterations) {
        MultiLayerNetwork g = Dcgan.generator(c.model(), c.optimizer(), 1, layers);
        MultiLayerNetwork d = Dcgan.discriminator(c.model(), c.optimizer(), 2, layers);
        int batch = c.batchSize();
        long cpu0 = Bench.cpuNanos(), wall0 = System.nanoTime();
        List<Bench.Phase> phases = new ArrayList<>();
        phases.addAll(profile("G", g, Nd4j.randn(DataType.FLOAT, batch, c.model().latentDim()), warmup, iterations));
        phases.addAll(profile("D", d, Nd4j.rand(DataType.FLOAT, 2L * batch, 3, c.model().resolution(), c.model().resolution()), warmup, iterations));
        double wall = (System.nanoTime() - wall0) / 1e9;
        return new Bench.Report("per layer, convolutions: " + layers + " (G on " + batch + " latents, D on "
                + 2 * batch + " images)", phases, (warmup + iterations) * batch / wall, (Bench.cpuNanos() - cpu0) / 1e9,
                wall);
    }

    private static List<Bench.Phase> profile(String name, MultiLayerNetwork net, INDArray input, int warmup,
                                             int iterations) {
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        net.initGradientsView();
        int n = net.getnLayers();
        double[][] forward = new double[n][iterations], backward = new double[n][iterations];
        double[] flops = new double[n];
        String[] names = new String[n];
        for (int it = -warmup; it < iterations; it++) {
            INDArray x = input;
            for (int i = 0; i < n; i++) {
                InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
                if (pre != null) x = pre.preProcess(x, (int) input.size(0), noWorkspaces);
                Layer layer = net.getLayer(i);
                long t0 = System.nanoTime();
                layer.setInput(x, noWorkspaces);
                INDArray out = layer.activate(true, noWorkspaces);
                if (it >= 0) forward[i][it] = (System.nanoTime() - t0) / 1e9;
                flops[i] = forwardFlops(layer.conf().getLayer(), x, out);
                names[i] = name + i + " " + describe(layer.conf().getLayer(), out);
                x = out;
            }
            if (net.getOutputLayer() instanceof IOutputLayer output) {
                output.setLabels(Nd4j.zeros(DataType.FLOAT, input.size(0), 1));
            }
            INDArray epsilon = x.ulike().assign(0.01);
            for (int i = n - 1; i >= 0; i--) {
                long t0 = System.nanoTime();
                epsilon = net.getLayer(i).backpropGradient(epsilon, noWorkspaces).getSecond();
                if (it >= 0) backward[i][it] = (System.nanoTime() - t0) / 1e9;
                InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
                if (pre != null && epsilon != null) epsilon = pre.backprop(epsilon, (int) input.size(0), noWorkspaces);
            }
        }
        List<Bench.Phase> phases = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            phases.add(new Bench.Phase(names[i] + " fwd", forward[i], flops[i]));
            phases.add(new Bench.Phase(names[i] + " bwd", backward[i], 2 * flops[i]));
        }
        return phases;
    }

    /** 2·k²·in·out per output pixel (per input pixel for a transposed convolution), 2·in·out for Dense; else 0. */
    static double forwardFlops(org.deeplearning4j.nn.conf.layers.Layer conf, INDArray in, INDArray out) {
        double batch = in.size(0);
        if (conf instanceof OpConvolution c) {
            INDArray pixels = c.isTransposed() ? in : out;
            return 2.0 * c.getKernel() * c.getKernel() * c.getNIn() * c.getNOut() * pixels.size(2) * pixels.size(3) * batch;
        }
        if (conf instanceof ConvolutionLayer c) { // Deconvolution2D is one
            INDArray pixels = conf instanceof Deconvolution2D ? in : out;
            return 2.0 * c.getKernelSize()[0] * c.getKernelSize()[1] * c.getNIn() * c.getNOut()
                    * pixels.size(2) * pixels.size(3) * batch;
        }
        if (conf instanceof FeedForwardLayer f && !(conf instanceof DropoutLayer)) return 2.0 * f.getNIn() * f.getNOut() * batch;
        return 0;
    }

    private static String describe(org.deeplearning4j.nn.conf.layers.Layer conf, INDArray out) {
        String size = out.rank() == 4 ? " " + out.size(2) + "x" + out.size(3) : "";
        if (conf instanceof OpConvolution c) {
            return (c.isTransposed() ? "convT " : "conv ") + c.getKernel() + "/" + c.getStride() + " "
                    + c.getNIn() + "->" + c.getNOut() + size;
        }
        if (conf instanceof ConvolutionLayer c) {
            return (c instanceof Deconvolution2D ? "convT " : "conv ") + c.getKernelSize()[0] + "/" + c.getStride()[0]
                    + " " + c.getNIn() + "->" + c.getNOut() + size;
        }
        if (conf instanceof DropoutLayer) return "dropout";
        if (conf instanceof FeedForwardLayer f) return "dense " + f.getNIn() + "->" + f.getNOut();
        return conf.getClass().getSimpleName().replace("Layer", "").toLowerCase();
    }
}
