package org.sparkgan.eval;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.model.Dcgan;
import org.sparkgan.train.TrainConfig;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Seeded latents, interpolation ends, and batched generation equal to one forward pass. */
class GeneratorSamplesTest {
    @Test
    void latentsDependOnlyOnTheSeedAndTheRow() {
        INDArray ten = GeneratorSamples.latents(7, 10, 32);
        assertArrayEquals(new long[]{10, 32}, ten.shape());
        assertEquals(ten, GeneratorSamples.latents(7, 10, 32));
        assertEquals(ten.get(NDArrayIndex.interval(0, 1)), GeneratorSamples.latents(7, 1, 32));
        assertNotEquals(ten, GeneratorSamples.latents(8, 10, 32));
        double mean = ten.meanNumber().doubleValue(), std = ten.stdNumber().doubleValue();
        assertEquals(0, mean, 0.2);
        assertEquals(1, std, 0.2);
    }

    @Test
    void interpolationRunsFromOneSeedToTheNext() {
        INDArray path = GeneratorSamples.interpolation(3, 5, 16);
        INDArray from = GeneratorSamples.latents(3, 1, 16), to = GeneratorSamples.latents(4, 1, 16);
        assertEquals(from, path.get(NDArrayIndex.interval(0, 1)));
        assertEquals(to, path.get(NDArrayIndex.interval(4, 5)));
        assertEquals(from.add(to).div(2), path.get(NDArrayIndex.interval(2, 3)));
    }

    @Test
    void batchedGenerationIsOneForwardPass() {
        TrainConfig c = TrainConfig.resolve(Map.of("preset", "small", "g-dense-channels", "8", "g-filters", "8",
                "d-filters", "8"));
        MultiLayerNetwork g = Dcgan.generator(c.model(), c.optimizer(), 1);
        INDArray z = GeneratorSamples.latents(1, GeneratorSamples.BATCH + 30, c.model().latentDim());
        INDArray images = GeneratorSamples.generate(g, z);
        assertArrayEquals(new long[]{GeneratorSamples.BATCH + 30, 3, 32, 32}, images.shape());
        assertEquals(g.output(z, false), images); // INDArray.equals: within 1e-5
    }
}
