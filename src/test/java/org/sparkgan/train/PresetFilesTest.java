package org.sparkgan.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** conf/presets/*.json are what `train --preset P --print-config` prints: the defaults live in TrainConfig only. */
class PresetFilesTest {
    @Test
    void presetFilesMatchTheCode() throws Exception {
        for (String preset : TrainConfig.PRESETS) {
            @SuppressWarnings("unchecked")
            Map<String, String> file = new ObjectMapper().readValue(Path.of("conf/presets", preset + ".json").toFile(), Map.class);
            assertEquals(TrainConfig.resolve(Map.of("preset", preset)).values(), file,
                    "regenerate with: submit-scripts/local.sh train --preset " + preset + " --print-config");
        }
    }
}
