package org.sparkgan.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.train.GanStep;

public class Scratch {
    public static void main(String[] a) {
        ModelConfig m = a[0].equals("seed") ? new ModelConfig(32, 128, 256, 128, 0.3, 0.4) : new ModelConfig(32, 32, 64, 64, 0.3, 0.4);
        OptimizerConfig o = new OptimizerConfig(0.0008, 0.0004, 0.9, 1e-7, 1.0);
        MultiLayerNetwork g = Dcgan.generator(m, o, 1), d = Dcgan.discriminator(m, o, 2);
        System.out.println("G " + g.numParams() + " D " + d.numParams());
        GanStep step = new GanStep(g, d, 32, 0.05);
        INDArray reals = Nd4j.rand(DataType.FLOAT, 20, 3, 32, 32).muli(2).subi(1);
        for (int rep = 0; rep < 4; rep++) {
            long t0 = System.nanoTime();
            GanStep.Result r = step.run(reals, rep);
            System.out.printf("%.3f s  %s%n", (System.nanoTime() - t0) / 1e9, r);
        }
    }
}
