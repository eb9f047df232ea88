package org.sparkgan.train;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The visiting order of the images: whole batches of a fresh permutation per pass, a pure function of the seed. */
class VisitOrderTest {
    @Test
    void eachPassVisitsDistinctImagesInWholeBatches() {
        int n = 1003, batch = 8; // 125 whole batches a pass, 3 images left out of each pass
        VisitOrder order = new VisitOrder(n, batch, Seeds.worker(42, 1));
        for (int pass = 0; pass < 2; pass++) {
            Set<Integer> seen = new HashSet<>();
            for (long step = pass * 125L + 1; step <= (pass + 1) * 125L; step++) {
                for (int row : order.rows(step)) {
                    assertFalse(row < 0 || row >= n, "row " + row);
                    seen.add(row);
                }
            }
            assertEquals(125 * batch, seen.size(), "pass " + pass + " visits 1,000 distinct images");
        }
        assertFalse(Arrays.equals(order.rows(1), order.rows(126)), "every pass is a new permutation");
        assertArrayEquals(order.rows(126), new VisitOrder(n, batch, Seeds.worker(42, 1)).rows(126), "from the seed alone");
    }
}
