package org.sparkgan.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.BadInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-channel mean and standard deviation of an image set (R, G, B), in the tensors' own [-1, 1] units.
 * The colour statistics that {@link SlicedWasserstein} normalises away: report them beside it, so a global colour
 * or contrast shift of generated images shows.
 */
public record ColourStats(List<Double> mean, List<Double> std) {
    public ColourStats {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
    }

    /** Over every pixel of every image of an NCHW batch. */
    public static ColourStats of(INDArray images) {
        if (images.rank() != 4 || images.size(0) < 1) {
            throw new BadInputException("colour statistics need a non-empty NCHW image batch");
        }
        int n = (int) images.size(0), channels = (int) images.size(1), plane = (int) (images.size(2) * images.size(3));
        float[] v = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        List<Double> means = new ArrayList<>(), stds = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int i = 0; i < n; i++) for (int p = 0; p < plane; p++) sum += v[(i * channels + c) * plane + p];
            double mean = sum / ((double) n * plane);
            double squares = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < plane; p++) {
                    double d = v[(i * channels + c) * plane + p] - mean;
                    squares += d * d;
                }
            }
            means.add(mean);
            stds.add(Math.sqrt(squares / ((double) n * plane)));
        }
        return new ColourStats(means, stds);
    }
}
