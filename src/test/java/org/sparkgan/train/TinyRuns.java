package org.sparkgan.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.data.CifarFormat;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.testing.TestData;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Real test frogs and tiny model configurations, so trainer tests run in seconds. */
public final class TinyRuns {
    private TinyRuns() {}

    /** The first {@code n} test frogs as a tensor in [-1, 1]. */
    public static INDArray frogs(int n) throws Exception {
        byte[] all = Files.readAllBytes(TestData.frogs("test"));
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int off = i * CifarFormat.RECORD_BYTES + 1;
            images.add(Arrays.copyOfRange(all, off, off + CifarFormat.IMAGE_BYTES));
        }
        return ImageTensors.toTensor(images);
    }

    /** The small preset shrunk to 8 filters, pinned to 2 threads, with the given overrides. */
    public static TrainConfig config(String... keyValues) {
        Map<String, String> v = new HashMap<>(Map.of("preset", "small", "g-dense-channels", "8", "g-filters", "8",
                "d-filters", "8", "threads", "2", "data", "test-frogs", "batch-size", "8"));
        for (int i = 0; i < keyValues.length; i += 2) v.put(keyValues[i], keyValues[i + 1]);
        return TrainConfig.resolve(v);
    }
}
