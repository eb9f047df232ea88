package org.sparkgan.eval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.BadInputException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mean pairwise distance: exact on made-up batches, zero for a collapsed batch, large for real frogs. */
class DiversityTest {
    @Test
    void meanPairwiseDistanceOfKnownBatches() {
        INDArray three = Nd4j.create(DataType.FLOAT, 3, 3, 32, 32);
        three.get(NDArrayIndex.point(1)).assign(1);
        three.get(NDArrayIndex.point(2)).assign(-1);
        double d = Math.sqrt(3 * 32 * 32); // distance of two images 1 apart in every value
        assertEquals((d + d + 2 * d) / 3, Diversity.meanPairwiseDistance(three), 1e-9);
        assertThrows(BadInputException.class, () -> Diversity.meanPairwiseDistance(three.get(NDArrayIndex.interval(0, 1))));
    }

    @Test
    void aCollapsedBatchScoresZeroRealFrogsDoNot() throws Exception {
        INDArray frogs = EvalFixtures.frogs("test", 64);
        INDArray collapsed = Nd4j.create(DataType.FLOAT, 64, 3, 32, 32);
        for (int i = 0; i < 64; i++) collapsed.get(NDArrayIndex.point(i)).assign(frogs.get(NDArrayIndex.point(0)));
        assertEquals(0.0, Diversity.meanPairwiseDistance(collapsed));
        double real = Diversity.meanPairwiseDistance(frogs);
        // 64 test frogs: 31.3, about 0.56 per value (31.3 / sqrt(3072))
        assertTrue(real > 25 && real < 40, "real frogs " + real);
    }
}
