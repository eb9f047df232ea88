package org.sparkgan.eval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Per-channel mean and standard deviation, exact on a made-up batch (real frogs: SlicedWassersteinTest). */
class ColourStatsTest {
    @Test
    void colourStatsPerChannel() {
        INDArray images = Nd4j.create(DataType.FLOAT, 2, 3, 32, 32);
        images.get(NDArrayIndex.all(), NDArrayIndex.point(0)).assign(0.5);
        images.get(NDArrayIndex.point(0), NDArrayIndex.point(1)).assign(1);
        images.get(NDArrayIndex.point(1), NDArrayIndex.point(1)).assign(-1);
        images.get(NDArrayIndex.all(), NDArrayIndex.point(2)).assign(-0.25);
        ColourStats s = ColourStats.of(images);
        assertEquals(List.of(0.5, 0.0, -0.25), s.mean());
        assertEquals(List.of(0.0, 1.0, 0.0), s.std());
    }
}
