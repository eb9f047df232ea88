package org.sparkgan;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The "did you mean" of unknown options, configuration keys and classes. */
class NamesTest {
    final List<String> options = List.of("steps", "split", "seed", "batch-size", "averaging-frequency", "class");

    @Test
    void typosFindTheirOption() {
        assertEquals(Optional.of("steps"), Names.nearest("step", options));
        assertEquals(Optional.of("batch-size"), Names.nearest("bach-size", options));
        assertEquals(Optional.of("batch-size"), Names.nearest("batchsize", options));
        assertEquals(Optional.of("averaging-frequency"), Names.nearest("averaging", options));
        assertEquals(Optional.of("frog"), Names.nearest("frogg", List.of("frog", "dog", "deer")));
    }

    @Test
    void farOrExactNamesSuggestNothing() {
        assertEquals(Optional.empty(), Names.nearest("nonsense", options));
        assertEquals(Optional.empty(), Names.nearest("x", options));
        assertEquals(Optional.empty(), Names.nearest("steps", options), "an exact name is not a typo");
    }

    @Test
    void editDistance() {
        assertEquals(0, Names.editDistance("seed", "seed"));
        assertEquals(1, Names.editDistance("step", "steps"));
        assertEquals(1, Names.editDistance("smal", "small"));
        assertEquals(3, Names.editDistance("kitten", "sitting"));
    }
}
