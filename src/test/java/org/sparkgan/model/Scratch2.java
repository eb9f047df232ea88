package org.sparkgan.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

public class Scratch2 {
    public static void main(String[] a) {
        for (int[] c : new int[][]{{64, 64, 5}, {64, 3, 7}, {256, 256, 5}}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 20, c[0], 32, 32);
            INDArray w = Nd4j.rand(DataType.FLOAT, c[2], c[2], c[0], c[1]); // [kH, kW, iC, oC]
            INDArray b = Nd4j.rand(DataType.FLOAT, c[1]);
            Conv2DConfig cfg = Conv2DConfig.builder().kH(c[2]).kW(c[2]).sH(1).sW(1).paddingMode(PaddingMode.SAME).dataFormat("NCHW").build();
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                INDArray y = Nd4j.cnn().conv2d(x, w, b, cfg);
                long t1 = System.nanoTime();
                double gf = 2.0 * c[0] * c[1] * c[2] * c[2] * 1024 * 20 / 1e9;
                System.out.printf("%s fwd %.3f s  %.1f GFLOP/s %s%n", java.util.Arrays.toString(c), (t1 - t0) / 1e9, gf / ((t1 - t0) / 1e9), java.util.Arrays.toString(y.shape()));
            }
        }
    }
}
