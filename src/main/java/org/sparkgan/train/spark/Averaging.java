package org.sparkgan.train.spark;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/** Element-wise means of the workers' flat arrays, summed in worker order so the result never depends on timing. */
public final class Averaging {
    private Averaging() {}

    public static INDArray mean(List<INDArray> arrays) {
        INDArray sum = arrays.get(0).dup();
        for (int i = 1; i < arrays.size(); i++) sum.addi(arrays.get(i));
        return sum.divi(arrays.size());
    }
}
